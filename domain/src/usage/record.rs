//! Logging what usage charts count. Sign-ins are logged by the sign-in, in its transaction;
//! application sessions by triggers on their table (migration 45).
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::error::Result;

/// A user signed in (any way: password, passkey, single sign-on, federation).
pub const SIGN_IN: &str = "sign_in";
/// A known user's sign-in was refused (a wrong password).
pub const SIGN_IN_FAILED: &str = "sign_in_failed";
/// An application session (logged by the database).
pub const APP_SESSION: &str = "app_session";

/// Logs `kind` for the user `user_id` at `at`, placed where the user is.
async fn log(
    conn: &impl ConnectionTrait,
    kind: &str,
    user_id: i32,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.execute_raw(crate::sql::statement(
        conn.get_database_backend(),
        "INSERT INTO usage_events (at, kind, user_id, site_id) \
         SELECT ?, ?, id, site_id FROM users WHERE id = ?",
        vec![at.into(), kind.into(), user_id.into()],
    ))
    .await?;
    Ok(())
}

/// Logs a sign-in (inside the sign-in's transaction).
pub(crate) async fn signed_in(
    conn: &impl ConnectionTrait,
    user_id: i32,
    at: DateTime<Utc>,
) -> Result<()> {
    log(conn, SIGN_IN, user_id, at).await
}

/// Logs a refused sign-in of a known user.
pub(crate) async fn sign_in_failed(
    conn: &impl ConnectionTrait,
    user_id: i32,
    at: DateTime<Utc>,
) -> Result<()> {
    log(conn, SIGN_IN_FAILED, user_id, at).await
}
