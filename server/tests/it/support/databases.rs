//! The databases a test runs on: a fresh SQLite file, and a fresh PostgreSQL database when
//! LICENTIA_TEST_PG names a server (required when LICENTIA_REQUIRE_PG is set).
use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join(format!("licentia-it-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}", dir.join("t.db").display())
}

pub async fn postgres_url() -> Option<String> {
    let Ok(server) = std::env::var("LICENTIA_TEST_PG") else {
        assert!(
            std::env::var("LICENTIA_REQUIRE_PG").is_err(),
            "LICENTIA_REQUIRE_PG is set but LICENTIA_TEST_PG is not"
        );
        eprintln!("LICENTIA_TEST_PG not set: PostgreSQL test skipped");
        return None;
    };
    Some(create_postgres(&server, "t").await)
}

/// A new database of its own on the PostgreSQL server at `server` (`postgres://user@host:port`),
/// named `{prefix}_<uuid>`: its address. Also used by the benchmarks.
pub async fn create_postgres(server: &str, prefix: &str) -> String {
    let server = server.trim_end_matches('/');
    let name = format!("{prefix}_{}", Uuid::new_v4().simple());
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.unwrap();
    format!("{server}/{name}")
}

/// Drops a database [`create_postgres`] made, by its address (its connections closed first).
#[allow(dead_code)] // the benchmarks drop theirs; a test's database goes with the test server
pub async fn drop_postgres(url: &str) {
    let Some((server, name)) = url.rsplit_once('/') else {
        return;
    };
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .ok();
    admin.close().await.ok();
}

/// SQLite, then PostgreSQL when there is one.
pub async fn both() -> Vec<String> {
    let mut urls = vec![sqlite_url()];
    urls.extend(postgres_url().await);
    urls
}
