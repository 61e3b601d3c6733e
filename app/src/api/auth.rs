use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// The signed-in user, as the header shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub site_name: String,
    pub admin_site: Option<Uuid>,
    pub operator: bool,
    pub sees_roles: bool,
    pub sees_journal: bool,
    pub sees_tokens: bool,
    pub sees_groups: bool,
    /// The user must choose a new password before using anything else.
    pub must_change_password: bool,
}

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let (db, principal) = crate::ssr::principal_changing_password().await?;
    if matches!(principal, domain::Principal::Anonymous) {
        return Ok(None);
    }
    let me = domain::auth::me(&db, &principal).await?;
    Ok(Some(Me {
        display_name: format!("{} {}", me.first_name, me.last_name),
        username: me.username,
        site_name: me.site_name,
        admin_site: me.admin_site,
        operator: me.operator,
        sees_roles: me.sees_roles,
        sees_journal: me.sees_journal,
        sees_tokens: me.sees_tokens,
        sees_groups: me.sees_groups,
        must_change_password: me.must_change_password,
    }))
}

/// Signs in; answers the local path to go to next. The session gets a new id.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: String) -> Result<String, AppError> {
    use crate::ssr::{arrival, db, device_tokens, note_claim, session, set_device_cookie};
    let db = db()?;
    let arrival = arrival().await;
    let client = domain::auth::Client {
        address: arrival.client_address.clone(),
        devices: device_tokens().await,
    };
    let browser = domain::auth::sign_in_from(&db, &username, &password, &client).await?;
    set_device_cookie(&browser.device, &client.devices);
    let signed_in = browser.signed_in;
    let session = session().await?;
    let target = if signed_in.must_change_password {
        format!(
            "/password/change?next={}",
            crate::url::encode(&safe_next(&next))
        )
    } else {
        safe_next(&next)
    };
    if let Some(locale) = &signed_in.locale {
        remember_locale_cookie(locale);
    }
    let to = session::after_first_step(
        &session,
        signed_in.user_id,
        signed_in.second_factor,
        &wire::SignInMethod::Password,
        arrival,
        &target,
    )
    .await?;
    note_claim(&session, browser.claim).await;
    Ok(to)
}

/// The second step of a sign-in waiting for it: a code from the user's authenticator app or
/// (`recovery`) one of their recovery codes. Answers the local path to go to next; the session
/// gets a new id. A session that waits for nothing (or waited too long) is told to sign in.
#[server(endpoint = "login_second_factor")]
pub async fn login_second_factor(
    code: String,
    #[server(default)] recovery: bool,
    next: String,
) -> Result<String, AppError> {
    use crate::ssr::{db, session};
    let db = db()?;
    let session = session().await?;
    let pending = session::pending_second_factor(&session)
        .await?
        .ok_or(AppError::from(domain::Error::Unauthenticated))?;
    domain::factors::prove(&db, pending.user_id, &code, recovery, chrono::Utc::now()).await?;
    session::complete_second_factor(&session, pending).await?;
    Ok(safe_next(&next))
}

/// Begins proving the second factor of the sign-in this session waits on with a passkey: the
/// options for the browser.
#[server(endpoint = "start_passkey_proof")]
pub async fn start_passkey_proof() -> Result<String, AppError> {
    use crate::ssr::{db, keep_ceremony, passkeys, session};
    let db = db()?;
    let session = session().await?;
    let pending = session::pending_second_factor(&session)
        .await?
        .ok_or(AppError::from(domain::Error::Unauthenticated))?;
    let rp = passkeys()?;
    let begun = domain::factors::start_proof(&db, &rp, pending.user_id, chrono::Utc::now()).await?;
    keep_ceremony("prove", begun.state).await?;
    Ok(begun.options)
}

/// Ends proving the second factor with a passkey; answers the local path to go to next (the
/// session gets a new id).
#[server(endpoint = "finish_passkey_proof")]
pub async fn finish_passkey_proof(answer: String, next: String) -> Result<String, AppError> {
    use crate::ssr::{db, passkeys, session, take_ceremony};
    let db = db()?;
    let session = session().await?;
    let pending = session::pending_second_factor(&session)
        .await?
        .ok_or(AppError::from(domain::Error::Unauthenticated))?;
    let rp = passkeys()?;
    let state = take_ceremony("prove").await?;
    domain::factors::finish_proof(
        &db,
        &rp,
        pending.user_id,
        &state,
        &answer,
        chrono::Utc::now(),
    )
    .await?;
    session::complete_second_factor(&session, pending).await?;
    Ok(safe_next(&next))
}

/// Begins a sign-in with a passkey alone (no username): the options for the browser.
#[server(endpoint = "start_passkey_sign_in")]
pub async fn start_passkey_sign_in() -> Result<String, AppError> {
    use crate::ssr::{keep_ceremony, passkeys};
    let rp = passkeys()?;
    let begun = domain::factors::start_sign_in(&rp, chrono::Utc::now())?;
    keep_ceremony("sign_in", begun.state).await?;
    Ok(begun.options)
}

/// Ends a sign-in with a passkey; answers the local path to go to next (the session gets a
/// new id).
#[server(endpoint = "finish_passkey_sign_in")]
pub async fn finish_passkey_sign_in(answer: String, next: String) -> Result<String, AppError> {
    use crate::ssr::{arrival, db, note_claim, passkeys, session, take_ceremony};
    let db = db()?;
    let rp = passkeys()?;
    let state = take_ceremony("sign_in").await?;
    let signed = domain::auth::sign_in_with_passkey(&db, &rp, &state, &answer).await?;
    if let Some(locale) = &signed.signed_in.locale {
        remember_locale_cookie(locale);
    }
    let session = session().await?;
    let to = session::after_first_step(
        &session,
        signed.signed_in.user_id,
        signed.signed_in.second_factor,
        &wire::SignInMethod::Passkey,
        arrival().await,
        &safe_next(&next),
    )
    .await?;
    note_claim(&session, signed.claim).await;
    Ok(to)
}

/// A sign-in waiting for a second factor to be set up: until when the user may still go on
/// without (`None`: they must set one up now). A session that waits for nothing is told to
/// sign in.
#[server(endpoint = "enrolment_due")]
pub async fn enrolment_due() -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    use crate::ssr::{db, session};
    let db = db()?;
    let session = session().await?;
    let pending = session::pending_enrolment(&session)
        .await?
        .ok_or(AppError::from(domain::Error::Unauthenticated))?;
    Ok(
        match domain::factors::step_at_sign_in(&db, pending.user_id, chrono::Utc::now()).await? {
            domain::factors::Step::Enrol { until } => until,
            _ => None,
        },
    )
}

/// Ends the wait of a sign-in for a second factor to be set up: once one is set up, or while
/// the grace period runs. Answers the local path to go to next; the session gets a new id.
#[server(endpoint = "finish_enrolment")]
pub async fn finish_enrolment(next: String) -> Result<String, AppError> {
    use crate::ssr::{db, session};
    let db = db()?;
    let session = session().await?;
    let pending = session::pending_enrolment(&session)
        .await?
        .ok_or(AppError::from(domain::Error::Unauthenticated))?;
    domain::factors::may_go_on(&db, pending.user_id, chrono::Utc::now()).await?;
    session::complete_second_factor(&session, pending).await?;
    Ok(safe_next(&next))
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = crate::ssr::session().await?;
    session
        .flush()
        .await
        .map_err(|_| crate::ssr::internal("session flush"))
}

/// Remembers the interface language for the signed-in user (the cookie is set by the client).
#[server(endpoint = "set_language")]
pub async fn set_language(language: String) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal_changing_password().await?;
    if matches!(principal, domain::Principal::Anonymous) {
        return Ok(());
    }
    domain::auth::set_language(&db, &principal, &language).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
fn remember_locale_cookie(locale: &str) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(value) = http::HeaderValue::from_str(&session::locale_cookie(locale)) {
            opts.append_header(http::header::SET_COOKIE, value);
        }
    }
}

pub use crate::url::safe_next;
