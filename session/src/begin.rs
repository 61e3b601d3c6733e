//! Beginning a signed-in session (password or single sign-on).
use tower_sessions::Session;

use crate::keys::{
    SESSION_CLIENT_ADDRESS, SESSION_LICENCE_CLAIM, SESSION_METHOD, SESSION_SIGNED_IN_AT,
    SESSION_USER, SESSION_USER_AGENT,
};

/// How a sign-in arrived: the browser and the address, as the session list shows them.
pub struct Arrival {
    pub user_agent: Option<String>,
    pub client_address: Option<String>,
}

/// Makes `session` the signed-in session of `user_id`: a new id (no fixation), the sign-in
/// time for the absolute timeout, and how and from where the user arrived.
pub async fn begin_session(
    session: &Session,
    user_id: i32,
    method: &wire::SignInMethod,
    arrival: Arrival,
) -> Result<(), domain::Error> {
    renew_session(session, user_id).await?;
    let failed = |_| domain::Error::Internal("session write".into());
    session
        .insert(SESSION_METHOD, method.stored())
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

/// After a password change: a new id (the old one may have been seen) and a new sign-in time
/// for the absolute timeout, the user and how they arrived unchanged.
pub async fn renew_session(session: &Session, user_id: i32) -> Result<(), domain::Error> {
    let failed = |_| domain::Error::Internal("session write".into());
    session.cycle_id().await.map_err(failed)?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(failed)?;
    session
        .insert(SESSION_SIGNED_IN_AT, chrono::Utc::now().timestamp())
        .await
        .map_err(failed)?;
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

/// The cookie that keeps the interface language (the same the language switch sets), for a
/// sign-in that brings the user's remembered language.
pub fn locale_cookie(locale: &str) -> String {
    format!("i18n_pref_locale={locale}; Path=/; Max-Age=31536000; SameSite=Lax")
}
