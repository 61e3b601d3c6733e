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
