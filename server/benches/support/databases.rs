//! Fresh PostgreSQL databases for the benchmarks, on the server `LICENTIA_BENCH_PG` names.
#![allow(dead_code)] // each benchmark uses part of it
use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

/// A new, migrated database of its own on the PostgreSQL server at `server`
/// (`postgres://user@host:port`), and its name (for [`drop_postgres`]).
pub async fn fresh_postgres(server: &str) -> (domain::Db, String) {
    let server = server.trim_end_matches('/');
    let name = format!("bench_{}", Uuid::new_v4().simple());
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let db = domain::Db::connect_and_migrate(&format!("{server}/{name}"))
        .await
        .unwrap();
    (db, name)
}

/// Drops a database [`fresh_postgres`] made (its connections closed first).
pub async fn drop_postgres(server: &str, name: &str) {
    let server = server.trim_end_matches('/');
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .ok();
}
