//! The principal a session stands for.
use domain::{Db, Principal};
use tower_sessions::Session;

use crate::keys::{ABSOLUTE_TIMEOUT_SECS, SESSION_SIGNED_IN_AT, SESSION_USER};

/// The principal a session stands for, refused while a new password must be chosen
/// (`password_change_required`).
pub async fn principal_of(db: &Db, session: &Session) -> Result<Principal, domain::Error> {
    session_principal(db, session).await?.usable()
}

/// The principal a session stands for, also while a new password must be chosen. Ends the
/// session when its user may no longer act or it is older than the absolute timeout.
pub async fn session_principal(db: &Db, session: &Session) -> Result<Principal, domain::Error> {
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

/// The principal of one request, loaded once however many server functions ask for it (the
/// server-side rendering of a page runs several in one request, at the same moment: the first
/// loads while the others wait for it, rather than each loading its own). The server puts a
/// fresh one in every request's extensions; it remembers a user only while the session still
/// names them.
#[derive(Clone, Default)]
pub struct PrincipalMemo(std::sync::Arc<tokio::sync::Mutex<Option<(i32, Principal)>>>);

/// [`session_principal`] through the request's memo: the first call loads, later ones of the
/// same request for the same user reuse it.
pub async fn session_principal_in(
    db: &Db,
    session: &Session,
    memo: Option<&PrincipalMemo>,
) -> Result<Principal, domain::Error> {
    let Some(memo) = memo else {
        return session_principal(db, session).await;
    };
    let user_id: Option<i32> = session
        .get(SESSION_USER)
        .await
        .map_err(|_| domain::Error::Internal("session store".into()))?;
    // Held across the load: the request's other calls wait for this one's answer.
    let mut kept = memo.0.lock().await;
    if let (Some(id), Some((kept_id, principal))) = (user_id, kept.as_ref()) {
        if id == *kept_id {
            return Ok(principal.clone());
        }
    }
    let principal = session_principal(db, session).await?;
    if let (Some(id), Principal::User(_)) = (user_id, &principal) {
        *kept = Some((id, principal.clone()));
    }
    Ok(principal)
}
