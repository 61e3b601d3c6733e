//! Each user's organisation (the root site of the site they are placed in), kept by the
//! database itself, and the indexes that give an organisation's user list its first page in
//! the order shown without reading the whole organisation: by name, username and creation.
//!
//! The column is a copy for ordering only: access is still decided by the user's site and the
//! principal's subtree. Triggers fill it when a user is created or moved to another site (a
//! site never changes organisation: moves across organisations are refused, roots do not move).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The root site above `site` (an expression naming a site id).
fn root_of(site: &str) -> String {
    format!(
        "(SELECT c.ancestor_id FROM site_closure c JOIN sites s ON s.id = c.ancestor_id \
         WHERE c.descendant_id = {site} AND s.parent_id IS NULL)"
    )
}

/// The orders of the list, each after the organisation (and ending in the public id, which
/// gives every row its own place for keyset pages).
pub(crate) const INDEXES: [(&str, &str); 3] = [
    (
        "idx_users_org_name",
        "organisation_id, last_name, first_name, public_id",
    ),
    (
        "idx_users_org_username",
        "organisation_id, username, public_id",
    ),
    (
        "idx_users_org_created",
        "organisation_id, created_at, public_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        conn.execute_unprepared("ALTER TABLE users ADD COLUMN organisation_id INTEGER")
            .await?;
        conn.execute_unprepared(&format!(
            "UPDATE users SET organisation_id = {}",
            root_of("users.site_id")
        ))
        .await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(&format!(
                    "CREATE OR REPLACE FUNCTION licentia_user_organisation() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     NEW.organisation_id := {}; RETURN NEW; END $$",
                    root_of("NEW.site_id")
                ))
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER users_organisation BEFORE INSERT OR UPDATE OF site_id \
                     ON users FOR EACH ROW EXECUTE FUNCTION licentia_user_organisation()",
                )
                .await?;
            }
            _ => {
                // SQLite's BEFORE triggers cannot change the new row: an update after it.
                for (name, event) in [
                    ("users_organisation_insert", "INSERT"),
                    ("users_organisation_move", "UPDATE OF site_id"),
                ] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER {event} ON users BEGIN \
                         UPDATE users SET organisation_id = {} WHERE id = NEW.id; END",
                        root_of("NEW.site_id")
                    ))
                    .await?;
                }
            }
        }
        for (name, columns) in INDEXES {
            conn.execute_unprepared(&format!("CREATE INDEX {name} ON users ({columns})"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for (name, _) in INDEXES {
            conn.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared("DROP TRIGGER IF EXISTS users_organisation ON users")
                    .await?;
                conn.execute_unprepared("DROP FUNCTION IF EXISTS licentia_user_organisation()")
                    .await?;
            }
            _ => {
                for name in ["users_organisation_insert", "users_organisation_move"] {
                    conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                        .await?;
                }
            }
        }
        conn.execute_unprepared("ALTER TABLE users DROP COLUMN organisation_id")
            .await?;
        Ok(())
    }
}
