//! The user list's search through an index on both databases, with case and accents folded
//! ("emile" finds "Émile"): the searched text is a user's username, first name, last name and
//! e-mail address in one string.
//!
//! - PostgreSQL: `licentia_fold(text)` (lower case, accents removed by `unaccent`) and a trigram
//!   GIN index (`pg_trgm`) on the folded text, which `LIKE '%…%'` uses. Both extensions ship with
//!   PostgreSQL (contrib) and are trusted: a database owner may create them.
//! - SQLite: an FTS5 table with the trigram tokenizer (diacritics removed, case folded), holding
//!   no copy of the text (contentless, rows deleted by id), kept in step with `users` by triggers.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The searched text of a user row (`row` is `users`, `NEW` or `OLD`).
fn searched(row: &str) -> String {
    format!(
        "{row}.username || ' ' || {row}.first_name || ' ' || {row}.last_name || ' ' || coalesce({row}.email, '')"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS unaccent")
                    .await?;
                // Immutable (as an index needs): the dictionary is named, not looked up.
                conn.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION licentia_fold(text) RETURNS text \
                     LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT \
                     AS $$ SELECT lower(unaccent('unaccent'::regdictionary, $1)) $$",
                )
                .await?;
                conn.execute_unprepared(&format!(
                    "CREATE INDEX idx_users_search ON users \
                     USING gin (licentia_fold({}) gin_trgm_ops)",
                    searched("users")
                ))
                .await?;
            }
            _ => {
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
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared("DROP INDEX IF EXISTS idx_users_search")
                    .await?;
                conn.execute_unprepared("DROP FUNCTION IF EXISTS licentia_fold(text)")
                    .await?;
            }
            _ => {
                for trigger in [
                    "user_search_insert",
                    "user_search_update",
                    "user_search_delete",
                ] {
                    conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                        .await?;
                }
                conn.execute_unprepared("DROP TABLE IF EXISTS user_search")
                    .await?;
            }
        }
        Ok(())
    }
}
