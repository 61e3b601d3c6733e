//! A sign-in waiting on its second factor: the password (or the provider) was right, and the
//! user either has a second factor to prove or must set one up (their organisation's policy).
//! The session then holds who is signing in, how and since when, but no signed-in user, until
//! the factor is proven within [`PATIENCE_SECS`] or set up within [`ENROL_PATIENCE_SECS`].
use domain::factors::Step;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::begin::{begin_session, Arrival};
use crate::keys::SESSION_USER;

const SESSION_PENDING: &str = "pending_second_factor";
/// How long a sign-in waits for its code.
pub const PATIENCE_SECS: i64 = 5 * 60;
/// How long a sign-in waits for a second factor to be set up (installing an app takes a while).
pub const ENROL_PATIENCE_SECS: i64 = 30 * 60;

/// A sign-in waiting on its second factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub user_id: i32,
    method: String,
    since: i64,
    user_agent: Option<String>,
    client_address: Option<String>,
    /// The user must set up a factor rather than prove one.
    #[serde(default)]
    enrol: bool,
}

fn failed<E>(_: E) -> domain::Error {
    domain::Error::Internal("session write".into())
}

/// Where a browser sign-in goes once the password (or the provider) was right: with nothing
/// more to ask, the session becomes the user's and the browser goes to `next`; otherwise the
/// session waits (a new id, no signed-in user) and the browser goes to the page that proves or
/// sets up the second factor. Answers the local path to go to.
pub async fn after_first_step(
    session: &Session,
    user_id: i32,
    step: Step,
    method: &wire::SignInMethod,
    arrival: Arrival,
    next: &str,
) -> Result<String, domain::Error> {
    let page = match step {
        Step::Done => {
            begin_session(session, user_id, method, arrival).await?;
            return Ok(next.to_string());
        }
        Step::Prove => "/login/second-factor",
        Step::Enrol { .. } => "/login/second-factor/setup",
    };
    session.cycle_id().await.map_err(failed)?;
    session.remove::<i32>(SESSION_USER).await.map_err(failed)?;
    let pending = Pending {
        user_id,
        method: method.stored().to_string(),
        since: chrono::Utc::now().timestamp(),
        user_agent: arrival.user_agent,
        client_address: arrival.client_address,
        enrol: matches!(step, Step::Enrol { .. }),
    };
    session
        .insert(SESSION_PENDING, pending)
        .await
        .map_err(failed)?;
    Ok(format!("{page}?next={}", wire::url::encode(next)))
}

async fn pending(session: &Session, enrol: bool) -> Result<Option<Pending>, domain::Error> {
    let pending: Option<Pending> = session.get(SESSION_PENDING).await.map_err(failed)?;
    let now = chrono::Utc::now().timestamp();
    let patience = if enrol {
        ENROL_PATIENCE_SECS
    } else {
        PATIENCE_SECS
    };
    Ok(pending.filter(|p| p.enrol == enrol && now - p.since <= patience))
}

/// The sign-in this session waits on to prove a factor, if it waits and has not waited too
/// long.
pub async fn pending_second_factor(session: &Session) -> Result<Option<Pending>, domain::Error> {
    pending(session, false).await
}

/// The sign-in this session waits on to set up a factor, if it waits and has not waited too
/// long.
pub async fn pending_enrolment(session: &Session) -> Result<Option<Pending>, domain::Error> {
    pending(session, true).await
}

/// The second factor was proven (or set up, or may still wait): the session becomes the
/// user's signed-in session.
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
