//! The statements on the paths every request or every sync takes, and a check of their plans:
//! none may read a whole large table. The test suite runs [`full_scans`] over [`hot_paths`] on
//! SQLite and on PostgreSQL (where sequential scans are switched off for the check, so that a
//! "Seq Scan" in the plan means that no index could serve).
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryTrait, Statement,
    TransactionTrait,
};
use uuid::Uuid;

use crate::entities::{
    app_session, session, sign_in_throttle, subscription, trusted_device, user, user_token,
};
use crate::error::Result;
use crate::Db;

/// Tables small enough (the vendor's catalogue) to be read whole, and `asked`, the users a
/// batch of licence checks asks about (at most 64).
/// SQLite names a table by its alias in plans: the hand-written statements call them `p`, `bp`.
const SMALL_TABLES: &[&str] = &["products", "bundles", "bundle_products", "p", "bp", "asked"];

pub struct HotPath {
    pub name: &'static str,
    pub statement: Statement,
}

pub fn hot_paths(backend: DbBackend) -> Vec<HotPath> {
    let some = Uuid::nil();
    let built = |name, statement| HotPath { name, statement };
    vec![
        built(
            "principal of a signed-in user",
            crate::identity::load::by_user_statement(backend, 1),
        ),
        built(
            "principal of an API token",
            crate::identity::load::by_token_statement(backend, "digest"),
        ),
        built(
            "licence check",
            crate::licences::facts_statement(backend, None, &[some], Some("reader")),
        ),
        built(
            "licence check with the caller's token",
            crate::licences::facts_statement(backend, Some("digest"), &[some], Some("reader")),
        ),
        built(
            "licence checks read together (5 users, padded to 8)",
            crate::licences::facts_statement(
                backend,
                Some("digest"),
                &[
                    Uuid::from_u128(1),
                    Uuid::from_u128(2),
                    Uuid::from_u128(3),
                    Uuid::from_u128(4),
                    some,
                ],
                Some("reader"),
            ),
        ),
        built(
            "user by username (sign-in)",
            user::Entity::find()
                .filter(user::Column::Username.eq("someone"))
                .build(backend),
        ),
        built(
            "users by personnel number (HR sync, imports)",
            user::Entity::find()
                .filter(user::Column::PersonnelNumber.eq("P123"))
                .build(backend),
        ),
        built(
            "session by id",
            session::Entity::find_by_id("id".to_string()).build(backend),
        ),
        built(
            "sign-in throttle counter",
            sign_in_throttle::Entity::find()
                .filter(sign_in_throttle::Column::Key.eq("account:someone"))
                .build(backend),
        ),
        built(
            "device cookie",
            trusted_device::Entity::find()
                .filter(trusted_device::Column::TokenHash.eq("digest"))
                .build(backend),
        ),
        built(
            "subscriptions of a site",
            subscription::Entity::find()
                .filter(subscription::Column::SiteId.eq(1))
                .build(backend),
        ),
        built(
            "one-time tokens of a user",
            user_token::Entity::find()
                .filter(user_token::Column::UserId.eq(1))
                .build(backend),
        ),
        built(
            "application sessions of a user",
            app_session::Entity::find()
                .filter(app_session::Column::UserId.eq(1))
                .build(backend),
        ),
    ]
}

/// The lines of `statement`'s plan that read a large table whole (none is good).
pub async fn full_scans(db: &Db, statement: &Statement) -> Result<Vec<String>> {
    let backend = db.backend();
    Ok(plan(db, statement)
        .await?
        .into_iter()
        .filter(|l| reads_whole(l, backend))
        .collect())
}

/// The plan of `statement`, line by line.
pub async fn plan(db: &Db, statement: &Statement) -> Result<Vec<String>> {
    let backend = db.backend();
    let explain = Statement::from_sql_and_values(
        backend,
        match backend {
            // A new text each time: a prepared EXPLAIN keeps the plan it was prepared with.
            DbBackend::Sqlite => format!(
                "EXPLAIN QUERY PLAN /* {} */ {}",
                Uuid::new_v4().simple(),
                statement.sql
            ),
            _ => format!("EXPLAIN {}", statement.sql),
        },
        statement.values.clone().map(|v| v.0).unwrap_or_default(),
    );
    let txn = db.conn().begin().await?;
    match backend {
        DbBackend::Postgres => {
            txn.execute_unprepared("SET LOCAL enable_seqscan = off")
                .await?;
        }
        _ => {
            // A read first: the connection then sees the schema as it is now (an EXPLAIN alone
            // is planned against the connection's cached schema).
            txn.execute_unprepared("SELECT count(*) FROM sqlite_master")
                .await?;
        }
    }
    let rows = txn.query_all_raw(explain).await?;
    txn.rollback().await?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        lines.push(match backend {
            DbBackend::Sqlite => row.try_get::<String>("", "detail")?,
            _ => row.try_get::<String>("", "QUERY PLAN")?,
        });
    }
    Ok(lines)
}

/// The plan PostgreSQL keeps for `statement` once prepared on a pooled connection (its generic
/// plan, made from the tables' statistics rather than from the values), line by line; on
/// SQLite, which has no such plan, [`plan`].
pub async fn generic_plan(db: &Db, statement: &Statement) -> Result<Vec<String>> {
    if db.backend() != DbBackend::Postgres {
        return plan(db, statement).await;
    }
    let values = statement.values.as_ref().map_or(0, |v| v.0.len());
    let nulls = vec!["NULL"; values].join(", ");
    let txn = db.conn().begin().await?;
    txn.execute_unprepared("SET LOCAL plan_cache_mode = force_generic_plan")
        .await?;
    txn.execute_unprepared(&format!("PREPARE generic_plan AS {}", statement.sql))
        .await?;
    let rows = txn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("EXPLAIN EXECUTE generic_plan({nulls})"),
        ))
        .await?;
    txn.execute_unprepared("DEALLOCATE generic_plan").await?;
    txn.rollback().await?;
    let mut lines = Vec::new();
    for row in rows {
        lines.push(row.try_get::<String>("", "QUERY PLAN")?);
    }
    Ok(lines)
}

fn reads_whole(line: &str, backend: DbBackend) -> bool {
    let line = line.trim();
    let table = match backend {
        // "SCAN users" (a table), not "SCAN u USING INDEX …" or "SEARCH …".
        DbBackend::Sqlite => line
            .strip_prefix("SCAN ")
            .filter(|rest| !rest.contains("INDEX") && !rest.starts_with("CONSTANT ROW")),
        _ => line
            .find("Seq Scan on ")
            .map(|at| &line[at + "Seq Scan on ".len()..]),
    };
    let Some(table) = table else {
        return false;
    };
    let name = table.split_whitespace().next().unwrap_or_default();
    !SMALL_TABLES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_tell_whole_table_reads_from_index_reads() {
        let lite = DbBackend::Sqlite;
        assert!(reads_whole("SCAN users", lite));
        assert!(reads_whole("SCAN u", lite));
        assert!(!reads_whole(
            "SEARCH u USING INDEX sqlite_autoindex_users_2 (username=?)",
            lite
        ));
        assert!(!reads_whole("SCAN c USING COVERING INDEX idx", lite));
        assert!(!reads_whole("SCAN products", lite));
        let pg = DbBackend::Postgres;
        assert!(reads_whole(
            "  ->  Seq Scan on users u  (cost=10000000000.00..)",
            pg
        ));
        assert!(!reads_whole("Index Scan using users_pkey on users u", pg));
        assert!(!reads_whole("Seq Scan on products p", pg));
    }
}
