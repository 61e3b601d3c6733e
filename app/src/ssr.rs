//! Server-side helpers for server functions: the database, the session, the principal.
use domain::{Db, Principal};
use leptos::prelude::*;
use tower_sessions::Session;

pub use session::{begin_session, note_claim, Arrival};
use session::{client_address_of, principal_of};

use crate::error::AppError;

/// Server-wide state the server puts in every request's context.
#[derive(Clone)]
pub struct ServerState {
    pub db: Db,
    /// The largest upload and row count an import accepts.
    pub import_limits: domain::import::Limits,
    /// The single sign-on providers users may link (what the pages show of them).
    pub sso_providers: Vec<wire::SsoProvider>,
    /// Sessions end after this long without a request.
    pub idle_timeout: std::time::Duration,
    /// The HTTP API's OpenAPI document (JSON), for its readable page.
    pub api_document: std::sync::Arc<String>,
    /// Cookies only over HTTPS.
    pub secure_cookies: bool,
    /// Serial sign-up asks for a solved proof-of-work challenge.
    pub signup_challenge: bool,
    /// Passkeys, where the public address allows them (a domain name, https or localhost).
    pub passkeys: Option<std::sync::Arc<domain::factors::Passkeys>>,
}

/// This server as a passkey relying party, or `passkeys_unavailable`.
pub fn passkeys() -> Result<std::sync::Arc<domain::factors::Passkeys>, AppError> {
    use_context::<ServerState>()
        .and_then(|s| s.passkeys)
        .ok_or_else(|| AppError::from(domain::Error::Refused(domain::Code::PasskeysUnavailable)))
}

const SESSION_CEREMONY: &str = "passkey_ceremony";

/// Keeps a passkey ceremony's state in the session until its end (one at a time: a new one
/// replaces an unfinished one). `kind` tells the ceremonies apart.
pub async fn keep_ceremony(kind: &str, state: String) -> Result<(), AppError> {
    session()
        .await?
        .insert(SESSION_CEREMONY, (kind.to_string(), state))
        .await
        .map_err(|_| internal("session write"))
}

/// Takes the kept state of a `kind` ceremony out of the session (a second answer finds none).
pub async fn take_ceremony(kind: &str) -> Result<String, AppError> {
    let kept: Option<(String, String)> = session()
        .await?
        .remove(SESSION_CEREMONY)
        .await
        .map_err(|_| internal("session read"))?;
    kept.filter(|(k, _)| k == kind)
        .map(|(_, state)| state)
        .ok_or_else(|| AppError::from(domain::Error::Refused(domain::Code::PasskeyInvalid)))
}

/// Whether serial sign-up asks for a solved challenge (`LICENTIA_SIGNUP_CHALLENGE`).
pub fn signup_challenge() -> bool {
    use_context::<ServerState>().is_some_and(|s| s.signup_challenge)
}

/// The cookie that marks a browser that signed in before (see `domain::auth::devices`); only
/// sent to the sign-in.
pub const DEVICE_COOKIE: &str = "licentia_device";
const DEVICE_COOKIE_PATH: &str = "/api/login";

pub fn sso_providers() -> Vec<wire::SsoProvider> {
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

/// An internal failure of the server function's own machinery (answered as the domain's
/// internal errors are: 500, logged once).
pub fn internal(detail: &str) -> AppError {
    AppError::from(domain::Error::Internal(detail.to_string()))
}

/// The acting principal of this request: anonymous unless the session holds a user that
/// still may sign in and the absolute timeout has not passed. A user who must choose a new
/// password is refused here (`password_change_required`, 403) until they have: every server
/// function goes through this, but the few of [`principal_changing_password`].
pub async fn principal() -> Result<(Db, Principal), AppError> {
    let (db, principal) = request_principal().await?;
    let principal = principal.usable()?;
    Ok((db, principal.from_address(client_address().await)))
}

/// The session's principal (also while a new password must be chosen), loaded once per request
/// however many server functions ask (a page's server-side rendering asks in every one), and
/// the database through the request's memo of sites read (a page reads each site once).
async fn request_principal() -> Result<(Db, Principal), AppError> {
    let db = db()?;
    let session = session().await?;
    let parts = use_context::<http::request::Parts>();
    let memo = parts
        .as_ref()
        .and_then(|parts| parts.extensions.get::<session::PrincipalMemo>().cloned());
    let principal = session::session_principal_in(&db, &session, memo.as_ref()).await?;
    let reads = parts.and_then(|parts| {
        parts
            .extensions
            .get::<std::sync::Arc<domain::ReadMemo>>()
            .cloned()
    });
    let db = match reads {
        Some(memo) => db.with_read_memo(memo),
        None => db,
    };
    Ok((db, principal))
}

/// The user setting up their second factors: the signed-in user, or one whose sign-in waits
/// for a factor to be set up (their organisation requires one; see `session::after_first_step`).
pub async fn principal_enrolling() -> Result<(Db, Principal), AppError> {
    let db = db()?;
    let session = session().await?;
    if let Some(pending) = session::pending_enrolment(&session).await? {
        let principal = Principal::load(&db, pending.user_id).await?;
        return Ok((db, principal.from_address(client_address().await)));
    }
    let principal = principal_of(&db, &session).await?;
    Ok((db, principal.from_address(client_address().await)))
}

/// The acting principal also while a new password must be chosen: only for what changing it
/// needs (the current user, the language, the password change itself, the frame's notices).
pub async fn principal_changing_password() -> Result<(Db, Principal), AppError> {
    let (db, principal) = request_principal().await?;
    Ok((db, principal.from_address(client_address().await)))
}

/// The client address of this request (for the journal and the throttling): the peer, or
/// behind a trusted proxy the address it forwarded.
pub async fn client_address() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    client_address_of(&parts)
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

/// This request's browser and address.
pub async fn arrival() -> Arrival {
    let user_agent = leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| session::user_agent(&headers));
    Arrival {
        user_agent,
        client_address: client_address().await,
    }
}
