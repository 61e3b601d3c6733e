//! A principal in one statement: the account, the last day its sites allow, and its grants with
//! their roles' permissions (one row per grant); for an API token, the token's state as well.
use std::borrow::Borrow;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};

use super::{Actor, Grant, Principal};
use crate::access::Permissions;
use crate::error::Result;
use crate::Db;

/// What a token's row says, besides its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenState {
    pub id: i32,
    pub expires_on: Option<NaiveDate>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    pub scim_deletes: bool,
}

const COLUMNS: &str = "SELECT u.id, u.site_id, u.username, u.is_operator, u.active, u.pending, \
     u.expires_on, u.must_change_password, \
     (SELECT MIN(s.expires_on) FROM site_closure c JOIN sites s ON s.id = c.ancestor_id \
      WHERE c.descendant_id = u.site_id) AS site_expires_on, \
     g.site_id AS grant_site_id, r.permissions AS permissions";

const GRANTS: &str = "LEFT JOIN role_grants g ON g.user_id = u.id \
     LEFT JOIN roles r ON r.id = g.role_id";

pub(crate) fn by_user_statement(backend: DbBackend, user_id: i32) -> Statement {
    let sql = format!("{COLUMNS} FROM users u {GRANTS} WHERE u.id = ?");
    crate::sql::statement(backend, &sql, vec![user_id.into()])
}

pub(crate) fn by_token_statement(backend: DbBackend, digest: &str) -> Statement {
    crate::sql::statement(backend, &by_token_sql("", "= ?"), vec![digest.into()])
}

/// The text of [`by_token_statement`], with `extra` columns (", a, b") after the token's, for
/// the tokens whose digest is `digests` ("= ?", "IN (?, ?)").
pub(crate) fn by_token_sql(extra: &str, digests: &str) -> String {
    format!(
        "{COLUMNS}, t.id AS token_id, t.expires_on AS token_expires_on, \
         t.last_used_at AS token_last_used_at, t.revoked_at AS token_revoked_at, \
         t.scim_deletes AS token_scim_deletes{extra} \
         FROM api_tokens t JOIN users u ON u.id = t.user_id {GRANTS} \
         WHERE t.token_hash {digests}"
    )
}

/// As many typed empty columns as [`by_token_sql`] has before its `extra` ones, for the other
/// parts of a `UNION ALL` with it (typed, so that PostgreSQL can match the parts).
pub(crate) const NO_TOKEN_COLUMNS: &str = "CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), \
     CAST(NULL AS VARCHAR), CAST(NULL AS BOOLEAN), CAST(NULL AS BOOLEAN), CAST(NULL AS VARCHAR), \
     CAST(NULL AS DATE), CAST(NULL AS BOOLEAN), CAST(NULL AS DATE), CAST(NULL AS INTEGER), \
     CAST(NULL AS TEXT), CAST(NULL AS INTEGER), CAST(NULL AS DATE), CAST(NULL AS TIMESTAMPTZ), \
     CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS BOOLEAN)";

/// The principal of a user (anonymous when unknown, inactive, pending or expired).
pub(crate) async fn by_user(db: &Db, user_id: i32, today: NaiveDate) -> Result<Principal> {
    let rows = db
        .conn()
        .query_all_raw(by_user_statement(db.backend(), user_id))
        .await?;
    principal_of(&rows, today)
}

/// The token with this digest and its account's principal; `None` for an unknown token.
pub(crate) async fn by_token(
    db: &Db,
    digest: &str,
    today: NaiveDate,
) -> Result<Option<(TokenState, Principal)>> {
    let rows = db
        .conn()
        .query_all_raw(by_token_statement(db.backend(), digest))
        .await?;
    token_of(&rows, today)
}

/// The token and its account's principal from the rows of [`by_token_statement`] (or rows of
/// the same columns); `None` without rows.
pub(crate) fn token_of<R: Borrow<QueryResult>>(
    rows: &[R],
    today: NaiveDate,
) -> Result<Option<(TokenState, Principal)>> {
    let Some(first) = rows.first().map(Borrow::borrow) else {
        return Ok(None);
    };
    let token = TokenState {
        id: first.try_get("", "token_id")?,
        expires_on: first.try_get("", "token_expires_on")?,
        last_used_at: first.try_get("", "token_last_used_at")?,
        revoked: first
            .try_get::<Option<DateTime<Utc>>>("", "token_revoked_at")?
            .is_some(),
        scim_deletes: first.try_get("", "token_scim_deletes")?,
    };
    Ok(Some((token, principal_of(rows, today)?)))
}

fn principal_of<R: Borrow<QueryResult>>(rows: &[R], today: NaiveDate) -> Result<Principal> {
    let Some(first) = rows.first().map(Borrow::borrow) else {
        return Ok(Principal::Anonymous);
    };
    let own: Option<NaiveDate> = first.try_get("", "expires_on")?;
    let sites: Option<NaiveDate> = first.try_get("", "site_expires_on")?;
    let pending: Option<String> = first.try_get("", "pending")?;
    let refused = crate::auth::refusal_of(
        first.try_get("", "active")?,
        pending.as_deref(),
        own.into_iter().chain(sites).min(),
        today,
    );
    if refused.is_some() {
        return Ok(Principal::Anonymous);
    }
    let mut grants: Vec<Grant> = Vec::with_capacity(rows.len());
    for row in rows.iter().map(Borrow::borrow) {
        let Some(site_id) = row.try_get::<Option<i32>>("", "grant_site_id")? else {
            continue;
        };
        let permissions = row
            .try_get::<Option<String>>("", "permissions")?
            .map(|p| Permissions::parse(&p))
            .unwrap_or_default();
        match grants.iter_mut().find(|g| g.site_id == site_id) {
            Some(existing) => existing.permissions = existing.permissions.union(permissions),
            None => grants.push(Grant {
                site_id,
                permissions,
            }),
        }
    }
    Ok(Principal::User(Actor {
        user_id: first.try_get("", "id")?,
        site_id: first.try_get("", "site_id")?,
        username: first.try_get("", "username")?,
        operator: first.try_get("", "is_operator")?,
        grants,
        client_address: None,
        must_change_password: first.try_get("", "must_change_password")?,
    }))
}
