//! Server-side helpers for server functions: the database, the session, the principal.
use domain::{Db, Principal};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::error::AppError;

pub const SESSION_USER: &str = "user_id";
pub const SESSION_SIGNED_IN_AT: &str = "signed_in_at";
/// What the profile's session list shows: the browser, the address and how the user signed in.
pub const SESSION_USER_AGENT: &str = "user_agent";
pub const SESSION_CLIENT_ADDRESS: &str = "client_address";
pub const SESSION_METHOD: &str = "method";
/// What the licence claim at sign-in came to, for the overview page to say once.
pub const SESSION_LICENCE_CLAIM: &str = "licence_claim";
/// Absolute session lifetime, whatever the activity (the idle timeout is the store's expiry).
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;

/// Server-wide state the server puts in every request's context.
#[derive(Clone)]
pub struct ServerState {
    pub db: Db,
    /// The largest upload and row count an import accepts.
    pub import_limits: domain::import::Limits,
    /// The single sign-on providers users may link (what the pages show of them).
    pub sso_providers: Vec<crate::api::profile::SsoProvider>,
    /// Sessions end after this long without a request.
    pub idle_timeout: std::time::Duration,
    /// The HTTP API's OpenAPI document (JSON), for its readable page.
    pub api_document: std::sync::Arc<String>,
    /// Cookies only over HTTPS.
    pub secure_cookies: bool,
    /// Serial sign-up asks for a solved proof-of-work challenge.
    pub signup_challenge: bool,
}

/// Whether serial sign-up asks for a solved challenge (`LICENTIA_SIGNUP_CHALLENGE`).
pub fn signup_challenge() -> bool {
    use_context::<ServerState>().is_some_and(|s| s.signup_challenge)
}

/// The client's address as the server worked it out (the peer, or behind a trusted proxy
/// the address it forwarded); put among a request's extensions by the server.
#[derive(Debug, Clone, Default)]
pub struct ClientAddress(pub Option<String>);

/// The cookie that marks a browser that signed in before (see `domain::auth::devices`); only
/// sent to the sign-in.
pub const DEVICE_COOKIE: &str = "licentia_device";
const DEVICE_COOKIE_PATH: &str = "/api/login";

pub fn sso_providers() -> Vec<crate::api::profile::SsoProvider> {
    use_context::<ServerState>()
        .map(|s| s.sso_providers)
        .unwrap_or_default()
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
    AppError::code(crate::error::Code::Internal)
}

/// The acting principal of this request: anonymous unless the session holds a user that
/// still may sign in and the absolute timeout has not passed. A user who must choose a new
/// password is refused here (`password_change_required`, 403) until they have: every server
/// function goes through this, but the few of [`principal_changing_password`].
pub async fn principal() -> Result<(Db, Principal), AppError> {
    let db = db()?;
    let session = session().await?;
    let principal = principal_of(&db, &session).await?;
    Ok((db, principal.from_address(client_address().await)))
}

/// The acting principal also while a new password must be chosen: only for what changing it
/// needs (the current user, the language, the password change itself, the frame's notices).
pub async fn principal_changing_password() -> Result<(Db, Principal), AppError> {
    let db = db()?;
    let session = session().await?;
    let principal = session_principal(&db, &session).await?;
    Ok((db, principal.from_address(client_address().await)))
}

/// The principal a session stands for (also used by plain axum handlers such as the CSV
/// export), refused while a new password must be chosen.
pub async fn principal_of(db: &Db, session: &Session) -> Result<Principal, domain::Error> {
    session_principal(db, session).await?.usable()
}

/// The principal a session stands for. Ends the session when its user may no longer act or
/// it is too old.
async fn session_principal(db: &Db, session: &Session) -> Result<Principal, domain::Error> {
    let failed = |_| domain::Error::Internal("session store".into());
    let user_id: Option<i32> = session.get(SESSION_USER).await.map_err(failed)?;
    let Some(user_id) = user_id else {
        return Ok(Principal::Anonymous);
    };
    let signed_in_at: i64 = session
        .get(SESSION_SIGNED_IN_AT)
        .await
        .map_err(failed)?
        .unwrap_or(0);
    if chrono::Utc::now().timestamp() - signed_in_at > ABSOLUTE_TIMEOUT_SECS {
        session.flush().await.map_err(failed)?;
        return Ok(Principal::Anonymous);
    }
    let principal = Principal::load(db, user_id).await?;
    if matches!(principal, Principal::Anonymous) {
        session.flush().await.map_err(failed)?;
    }
    Ok(principal)
}

/// The client address of this request (for the journal and the throttling): the peer, or
/// behind a trusted proxy the address it forwarded.
pub async fn client_address() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    client_address_of(&parts)
}

/// The client address of a request, from its parts (plain axum handlers).
pub fn client_address_of(parts: &http::request::Parts) -> Option<String> {
    use axum::extract::ConnectInfo;
    match parts.extensions.get::<ClientAddress>() {
        Some(ClientAddress(address)) => address.clone(),
        None => parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string()),
    }
}

/// The device tokens the browser sent in its cookie.
pub async fn device_tokens() -> Vec<String> {
    let Ok(headers) = leptos_axum::extract::<http::HeaderMap>().await else {
        return Vec::new();
    };
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == DEVICE_COOKIE)
        .flat_map(|(_, value)| domain::auth::devices::tokens_in(value))
        .collect()
}

/// Gives the browser its device cookie: `token` first, then its others. HttpOnly, a year.
pub fn set_device_cookie(token: &str, others: &[String]) {
    let secure = use_context::<ServerState>().is_some_and(|s| s.secure_cookies);
    let value = domain::auth::devices::cookie_value(token, others);
    let cookie = format!(
        "{DEVICE_COOKIE}={value}; Path={DEVICE_COOKIE_PATH}; Max-Age={}; HttpOnly; SameSite=Strict{}",
        domain::auth::devices::LIFETIME_DAYS * 24 * 3600,
        if secure { "; Secure" } else { "" }
    );
    if let (Some(opts), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        opts.append_header(http::header::SET_COOKIE, value);
    }
}

/// Counts a request of this kind from this client against its window's allowance.
pub async fn limit(db: &Db, kind: domain::auth::throttle::Request) -> Result<(), AppError> {
    Ok(domain::auth::throttle::request(db, kind, client_address().await.as_deref()).await?)
}

/// How a sign-in arrived: the browser and the address, as the session list shows them.
pub struct Arrival {
    pub user_agent: Option<String>,
    pub client_address: Option<String>,
}

/// This request's browser and address.
pub async fn arrival() -> Arrival {
    let user_agent = leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| user_agent(&headers));
    Arrival {
        user_agent,
        client_address: client_address().await,
    }
}

pub fn user_agent(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(200).collect())
}

/// Makes `session` the signed-in session of `user_id`: a new id (no fixation), the sign-in
/// time for the absolute timeout, and how and from where the user arrived.
pub async fn begin_session(
    session: &Session,
    user_id: i32,
    method: &str,
    arrival: Arrival,
) -> Result<(), AppError> {
    let failed = |_| internal("session write");
    session.cycle_id().await.map_err(failed)?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(failed)?;
    session
        .insert(SESSION_SIGNED_IN_AT, chrono::Utc::now().timestamp())
        .await
        .map_err(failed)?;
    session
        .insert(SESSION_METHOD, method)
        .await
        .map_err(failed)?;
    if let Some(agent) = arrival.user_agent {
        session
            .insert(SESSION_USER_AGENT, agent)
            .await
            .map_err(failed)?;
    }
    if let Some(address) = arrival.client_address {
        session
            .insert(SESSION_CLIENT_ADDRESS, address)
            .await
            .map_err(failed)?;
    }
    Ok(())
}

/// Keeps what the licence claim at sign-in (with a password or a linked account: the domain
/// claims) came to, for the overview page to tell once (nothing when the user already held a
/// valid licence or the claim failed).
pub async fn note_claim(session: &Session, claim: Option<domain::licences::Claim>) {
    if let Some(outcome) = claim.and_then(domain::licences::Claim::outcome) {
        let _ = session.insert(SESSION_LICENCE_CLAIM, outcome).await;
    }
}
