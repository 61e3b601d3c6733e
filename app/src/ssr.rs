//! Server-side helpers for server functions: the database, the session, the principal.
use domain::{Db, Principal};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::error::AppError;

pub const SESSION_USER: &str = "user_id";
pub const SESSION_SIGNED_IN_AT: &str = "signed_in_at";
/// Absolute session lifetime, whatever the activity (the idle timeout is the store's expiry).
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;

/// Server-wide state the server puts in every request's context.
#[derive(Clone)]
pub struct ServerState {
    pub db: Db,
    /// The largest upload and row count an import accepts.
    pub import_limits: domain::import::Limits,
}

pub fn import_limits() -> domain::import::Limits {
    use_context::<ServerState>()
        .map(|s| s.import_limits)
        .unwrap_or_default()
}

pub fn db() -> Result<Db, AppError> {
    use_context::<ServerState>()
        .map(|s| s.db)
        .ok_or_else(|| internal("no server state in context"))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|_| internal("no session layer"))
}

pub fn internal(detail: &str) -> AppError {
    tracing::error!(detail, "internal error");
    AppError::code(crate::error::INTERNAL)
}

/// The acting principal of this request: anonymous unless the session holds a user that
/// still may sign in and the absolute timeout has not passed.
pub async fn principal() -> Result<(Db, Principal), AppError> {
    let db = db()?;
    let session = session().await?;
    let principal = principal_of(&db, &session).await?;
    Ok((db, principal.from_address(client_address().await)))
}

/// The principal a session stands for (also used by plain axum handlers such as the CSV
/// export). Ends the session when its user may no longer act or it is too old.
pub async fn principal_of(db: &Db, session: &Session) -> Result<Principal, AppError> {
    let user_id: Option<i32> = session
        .get(SESSION_USER)
        .await
        .map_err(|_| internal("session"))?;
    let Some(user_id) = user_id else {
        return Ok(Principal::Anonymous);
    };
    let signed_in_at: i64 = session
        .get(SESSION_SIGNED_IN_AT)
        .await
        .map_err(|_| internal("session"))?
        .unwrap_or(0);
    if chrono::Utc::now().timestamp() - signed_in_at > ABSOLUTE_TIMEOUT_SECS {
        session.flush().await.map_err(|_| internal("session"))?;
        return Ok(Principal::Anonymous);
    }
    let principal = Principal::load(db, user_id).await?;
    if matches!(principal, Principal::Anonymous) {
        session.flush().await.map_err(|_| internal("session"))?;
    }
    Ok(principal)
}

/// The peer address of this request (for the journal). Behind a proxy this is the proxy.
pub async fn client_address() -> Option<String> {
    use axum::extract::ConnectInfo;
    leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}
