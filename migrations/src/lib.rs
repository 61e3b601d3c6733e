//! The database schema, append-only. Every migration runs on SQLite and PostgreSQL.
pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_sites;
mod m20261123_000002_create_users;
mod m20261123_000003_create_roles;
mod m20261123_000004_create_sessions;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_sites::Migration),
            Box::new(m20261123_000002_create_users::Migration),
            Box::new(m20261123_000003_create_roles::Migration),
            Box::new(m20261123_000004_create_sessions::Migration),
        ]
    }
}
