//! The user search's index per organisation, so that a search in one organisation reads that
//! organisation's matches rather than those of every organisation (the list always names its
//! organisation, see migration 42). Replaces the indexes of migration 41.
//!
//! - PostgreSQL: the folded text is stored in a generated column (`search_text`: a match is
//!   checked against it without folding the row again, which cost more than the index itself),
//!   and its trigram GIN index begins with the organisation (`btree_gin`, a trusted contrib
//!   extension like `pg_trgm`).
//! - SQLite: the FTS5 table gains a column with the organisation as a token (`~42~`), and a
//!   search matches it AND the text. Its rows are written when a user's organisation is set
//!   (migration 42's triggers set it right after every insert and move), and again when the
//!   searched text changes.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The searched text of a user row (`row` is `users`, `NEW` or `OLD`), as migration 41 has it.
fn searched(row: &str) -> String {
    format!(
        "{row}.username || ' ' || {row}.first_name || ' ' || {row}.last_name || ' ' || coalesce({row}.email, '')"
    )
}

/// The searched text of the `users` table's rows as the indexes of this migration hold it: the
/// user list's searches read the same expression (`domain::users::list`, SQLite's searches too
/// short for its trigrams).
pub const SEARCHED_USERS: &str = "users.username || ' ' || users.first_name || ' ' || users.last_name || ' ' || coalesce(users.email, '')";

/// The organisation token of a user row.
fn organisation(row: &str) -> String {
    format!("'~' || coalesce({row}.organisation_id, '') || '~'")
}

const SQLITE_TRIGGERS: [&str; 4] = [
    "user_search_insert",
    "user_search_update",
    "user_search_place",
    "user_search_delete",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gin")
                .await?;
            // The fold names `unaccent` by its schema: autovacuum's ANALYZE (and a restore)
            // evaluates indexed expressions with an empty search path, where migration 41's
            // unqualified names were not found ("text search dictionary unaccent does not
            // exist": no statistics for the search, errors in the log).
            let schema: String = conn
                .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT n.nspname FROM pg_extension e \
                     JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'",
                ))
                .await?
                .ok_or_else(|| DbErr::Custom("the unaccent extension is missing".into()))?
                .try_get_by_index(0)?;
            let schema = schema.replace('"', "\"\"");
            conn.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION licentia_fold(text) RETURNS text \
                 LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT \
                 AS $$ SELECT pg_catalog.lower(\"{schema}\".unaccent(\
                 '\"{schema}\".unaccent'::regdictionary, $1)) $$"
            ))
            .await?;
            conn.execute_unprepared(&format!(
                "ALTER TABLE users ADD COLUMN search_text text \
                 GENERATED ALWAYS AS (licentia_fold({})) STORED",
                searched("users")
            ))
            .await?;
            conn.execute_unprepared(
                "CREATE INDEX idx_users_org_search ON users \
                 USING gin (organisation_id, search_text gin_trgm_ops)",
            )
            .await?;
            conn.execute_unprepared("DROP INDEX IF EXISTS idx_users_search")
                .await?;
            return Ok(());
        }
        for trigger in SQLITE_TRIGGERS {
            conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                .await?;
        }
        conn.execute_unprepared("DROP TABLE IF EXISTS user_search")
            .await?;
        conn.execute_unprepared(
            "CREATE VIRTUAL TABLE user_search USING fts5(text, organisation, content='', \
             contentless_delete=1, tokenize='trigram remove_diacritics 1')",
        )
        .await?;
        conn.execute_unprepared(&format!(
            "INSERT INTO user_search (rowid, text, organisation) SELECT id, {}, {} FROM users",
            searched("users"),
            organisation("users")
        ))
        .await?;
        // A new user has no organisation until migration 42's trigger sets it (an update right
        // after the insert): their row is written then.
        conn.execute_unprepared(&format!(
            "CREATE TRIGGER user_search_place AFTER UPDATE OF organisation_id ON users \
             WHEN OLD.organisation_id IS NULL BEGIN \
             INSERT INTO user_search (rowid, text, organisation) VALUES (NEW.id, {}, {}); END",
            searched("NEW"),
            organisation("NEW")
        ))
        .await?;
        conn.execute_unprepared(&format!(
            "CREATE TRIGGER user_search_update \
             AFTER UPDATE OF username, first_name, last_name, email, organisation_id ON users \
             WHEN OLD.organisation_id IS NOT NULL BEGIN \
             DELETE FROM user_search WHERE rowid = OLD.id; \
             INSERT INTO user_search (rowid, text, organisation) VALUES (NEW.id, {}, {}); END",
            searched("NEW"),
            organisation("NEW")
        ))
        .await?;
        conn.execute_unprepared(
            "CREATE TRIGGER user_search_delete AFTER DELETE ON users \
             WHEN OLD.organisation_id IS NOT NULL BEGIN \
             DELETE FROM user_search WHERE rowid = OLD.id; END",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            conn.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS idx_users_search ON users \
                 USING gin (licentia_fold({}) gin_trgm_ops)",
                searched("users")
            ))
            .await?;
            conn.execute_unprepared("DROP INDEX IF EXISTS idx_users_org_search")
                .await?;
            conn.execute_unprepared("ALTER TABLE users DROP COLUMN search_text")
                .await?;
            return Ok(());
        }
        for trigger in SQLITE_TRIGGERS {
            conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                .await?;
        }
        conn.execute_unprepared("DROP TABLE IF EXISTS user_search")
            .await?;
        conn.execute_unprepared(
            "CREATE VIRTUAL TABLE user_search USING fts5(text, content='', \
             contentless_delete=1, tokenize='trigram remove_diacritics 1')",
        )
        .await?;
        conn.execute_unprepared(&format!(
            "INSERT INTO user_search (rowid, text) SELECT id, {} FROM users",
            searched("users")
        ))
        .await?;
        conn.execute_unprepared(&format!(
            "CREATE TRIGGER user_search_insert AFTER INSERT ON users BEGIN \
             INSERT INTO user_search (rowid, text) VALUES (NEW.id, {}); END",
            searched("NEW")
        ))
        .await?;
        conn.execute_unprepared(&format!(
            "CREATE TRIGGER user_search_update \
             AFTER UPDATE OF username, first_name, last_name, email ON users BEGIN \
             DELETE FROM user_search WHERE rowid = OLD.id; \
             INSERT INTO user_search (rowid, text) VALUES (NEW.id, {}); END",
            searched("NEW")
        ))
        .await?;
        conn.execute_unprepared(
            "CREATE TRIGGER user_search_delete AFTER DELETE ON users BEGIN \
             DELETE FROM user_search WHERE rowid = OLD.id; END",
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_searches_what_the_indexes_hold() {
        assert_eq!(super::searched("users"), super::SEARCHED_USERS);
    }
}
