//! A sign-in waiting for its second factor: the password (or the provider) was right and the
//! user has a second factor, so the session holds who is signing in, how and since when, but
//! no signed-in user, until a code is given within [`PATIENCE_SECS`].
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::begin::{begin_session, Arrival};
use crate::keys::SESSION_USER;

const SESSION_PENDING: &str = "pending_second_factor";
/// How long a sign-in waits for its code.
pub const PATIENCE_SECS: i64 = 5 * 60;

/// A sign-in waiting for its second factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub user_id: i32,
    method: String,
    since: i64,
    user_agent: Option<String>,
    client_address: Option<String>,
}

fn failed<E>(_: E) -> domain::Error {
    domain::Error::Internal("session write".into())
}

/// Makes `session` wait for `user_id`'s second factor: a new id, no signed-in user.
pub async fn await_second_factor(
    session: &Session,
    user_id: i32,
    method: &wire::SignInMethod,
    arrival: Arrival,
) -> Result<(), domain::Error> {
    session.cycle_id().await.map_err(failed)?;
    session.remove::<i32>(SESSION_USER).await.map_err(failed)?;
    let pending = Pending {
        user_id,
        method: method.stored().to_string(),
        since: chrono::Utc::now().timestamp(),
        user_agent: arrival.user_agent,
        client_address: arrival.client_address,
    };
    session
        .insert(SESSION_PENDING, pending)
        .await
        .map_err(failed)
}

/// The sign-in this session waits on, if it waits and has not waited too long.
pub async fn pending_second_factor(session: &Session) -> Result<Option<Pending>, domain::Error> {
    let pending: Option<Pending> = session.get(SESSION_PENDING).await.map_err(failed)?;
    let now = chrono::Utc::now().timestamp();
    Ok(pending.filter(|p| now - p.since <= PATIENCE_SECS))
}

/// The second factor was proven: the session becomes the user's signed-in session.
pub async fn complete_second_factor(
    session: &Session,
    pending: Pending,
) -> Result<(), domain::Error> {
    session
        .remove::<Pending>(SESSION_PENDING)
        .await
        .map_err(failed)?;
    begin_session(
        session,
        pending.user_id,
        &wire::SignInMethod::from_stored(&pending.method),
        Arrival {
            user_agent: pending.user_agent,
            client_address: pending.client_address,
        },
    )
    .await
}
