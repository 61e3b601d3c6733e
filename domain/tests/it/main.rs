#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Domain integration tests: one binary, every test on SQLite and on PostgreSQL.
//! PostgreSQL tests need `LICENTIA_TEST_PG` (a server URL without database name, e.g.
//! `postgres://postgres@127.0.0.1:55432`); each test gets a fresh database. Without it they
//! are skipped, unless `LICENTIA_REQUIRE_PG=1` (as in CI), where they fail.
mod access_table;
mod activation;
mod announcements;
mod api_tokens;
mod applications;
mod auth;
mod authority;
mod backup;
mod bound;
mod bulk;
mod challenge;
mod customers;
mod erasure;
mod escalation;
mod factors;
mod federation;
mod groups;
mod helpers;
mod hot_paths;
mod hr_sync;
mod identifiers;
mod import;
mod import_apply;
mod import_retention;
mod institutions;
mod invalidation;
mod jobs;
mod journal;
mod licence_files;
mod licences;
mod moves;
mod onboarding;
mod oneroster;
mod outline;
mod passkeys;
mod products;
mod properties;
mod purchases;
mod roles;
mod rollover;
mod scim;
mod seats;
mod sites;
mod sso;
mod subscriptions;
mod throttle;
mod usage;
mod usage_limits;
mod users;
mod vendor;
mod webhooks;

/// Defines `name::sqlite` and `name::postgres`, each running `body(db)` on a fresh database.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = $crate::helpers::fresh_sqlite().await;
                ($body)(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(db) = $crate::helpers::fresh_postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}
