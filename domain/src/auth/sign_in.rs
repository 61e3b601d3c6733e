use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{devices, password, throttle};
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::onboarding::PENDING_VERIFY;
use crate::{licences, sites, validate, Db};

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: i32,
    pub locale: Option<String>,
    /// The user has to choose a new password before anything else.
    pub must_change_password: bool,
    /// What a browser sign-in still asks about second factors (known on the browser's paths
    /// only; an application's sign-in through the API leaves it `Done`).
    pub second_factor: crate::factors::Step,
}

/// Where a sign-in comes from: the client address (for the address's counter) and the
/// device tokens of the browser's cookie (see [`super::devices`]).
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: Option<String>,
    pub devices: Vec<String>,
}

/// A password sign-in from a browser: what [`sign_in`] answers, and the device token this
/// browser keeps for the account from now on.
#[derive(Debug, Clone)]
pub struct BrowserSignIn {
    pub signed_in: SignedIn,
    pub device: String,
    /// The licence claimed at sign-in, or why none was (`None`: the claim failed, logged).
    pub claim: Option<licences::Claim>,
}

/// Checks a username and password. Wrong username and wrong password give the same answer
/// in the same time; an inactive, expired or pending account is told so (after the password
/// matched). Repeated failures per account and per client address are throttled.
pub async fn sign_in(
    db: &Db,
    username: &str,
    plain: &str,
    client_address: Option<&str>,
) -> Result<SignedIn> {
    // A place for the verify first: a busy server refuses before it reads or counts anything.
    let admission = admit()?;
    let username = validate::username(username).unwrap_or_default();
    let found = find(db, &username).await?;
    let keys = throttle::Keys::new(&username, client_address);
    checked(db, admission, found, plain, &keys)
        .await
        .map(|user| signed_in(&user))
}

/// A password sign-in from a browser: as [`sign_in`], but a browser that signed in to this
/// account before (a valid device token) is throttled on its own counter, not on the
/// account's or the address's; a successful sign-in gives the browser its device token
/// and claims a free licence for a user who holds no valid one ([`licences::claim_at_sign_in`]).
pub async fn sign_in_from(
    db: &Db,
    username: &str,
    plain: &str,
    client: &Client,
) -> Result<BrowserSignIn> {
    let admission = admit()?;
    let username = validate::username(username).unwrap_or_default();
    let found = find(db, &username).await?;
    let known = match &found {
        Some(user) => devices::recognise(db, user.id, &client.devices).await?,
        None => None,
    };
    let keys = match &known {
        Some((device, _)) => throttle::Keys::device(*device),
        None => throttle::Keys::new(&username, client.address.as_deref()),
    };
    let user = checked(db, admission, found, plain, &keys).await?;
    let device = devices::remember(db, user.id, known).await?;
    let claim = licences::claim_at_sign_in(db, &user, wire::time::today()).await;
    let mut signed_in = signed_in(&user);
    signed_in.second_factor = crate::factors::step_at_sign_in(db, user.id, Utc::now()).await?;
    Ok(BrowserSignIn {
        signed_in,
        device,
        claim,
    })
}

/// An application signing a user in through the HTTP API: throttled per calling account and
/// user, apart from the web sign-in (an application's failures do not lock the user out of
/// the sign-in page, nor the page's the application).
pub(crate) async fn sign_in_for_application(
    db: &Db,
    caller_id: i32,
    username: &str,
    plain: &str,
) -> Result<SignedIn> {
    let admission = admit()?;
    let username = validate::username(username).unwrap_or_default();
    let found = find(db, &username).await?;
    let keys = throttle::Keys::application(caller_id, &username);
    checked(db, admission, found, plain, &keys)
        .await
        .map(|user| signed_in(&user))
}

fn signed_in(user: &user::Model) -> SignedIn {
    SignedIn {
        user_id: user.id,
        locale: user.locale.clone(),
        must_change_password: user.must_change_password,
        second_factor: crate::factors::Step::Done,
    }
}

async fn find(db: &Db, username: &str) -> Result<Option<user::Model>> {
    if username.is_empty() {
        return Ok(None);
    }
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await?)
}

/// The attempt is taken on `keys` before the password is checked (see `throttle`); every
/// outcome is counted (`licentia_sign_ins_total`, by its code).
async fn checked(
    db: &Db,
    admission: password::Admission,
    found: Option<user::Model>,
    plain: &str,
    keys: &throttle::Keys,
) -> Result<user::Model> {
    let outcome = verified(db, admission, found, plain, keys).await;
    count(match &outcome {
        Ok(_) => "success",
        Err(err) => err.code().as_str(),
    });
    outcome
}

/// A place in the password pool, taken before anything is read: a busy server refuses at once
/// (counted as such).
fn admit() -> Result<password::Admission> {
    password::admit().inspect_err(|err| count(err.code().as_str()))
}

fn count(outcome: &'static str) {
    metrics::counter!("licentia_sign_ins_total", "method" => "password", "outcome" => outcome)
        .increment(1);
}

async fn verified(
    db: &Db,
    admission: password::Admission,
    found: Option<user::Model>,
    plain: &str,
    keys: &throttle::Keys,
) -> Result<user::Model> {
    // The place for the verify was taken first: a busy server refuses before the attempt is
    // counted.
    throttle::take(db, keys).await?;
    let stored = found.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify_admitted(admission, stored, plain.to_string()).await?;
    if let (Some(known), false) = (&found, matches) {
        // A known account's wrong password counts in its organisation's usage.
        let txn = db.write_uncached().await?;
        crate::usage::sign_in_failed(&*txn, known.id, Utc::now()).await?;
        txn.commit().await?;
    }
    let Some(found) = found.filter(|_| matches) else {
        return Err(Error::Refused(Code::InvalidCredentials));
    };
    let refused = refusal(db, &found).await?;
    // One commit: the attempt given back, and (when the account may be used) the time.
    let txn = db.write_uncached().await?;
    throttle::succeeded_in(&txn, keys).await?;
    if refused.is_none() {
        signed_in_at(&*txn, found.id, Utc::now()).await?;
    }
    txn.commit().await?;
    if let Some(code) = refused {
        return Err(Error::Refused(code));
    }
    Ok(found)
}

/// Why this user may not use the system now, if they may not: deactivated, or past their own
/// expiry date or (without one) the nearest site expiry date up the tree.
/// Records that `user_id` signed in at `at` (inside the caller's transaction), and logs it for
/// the usage charts.
pub(crate) async fn signed_in_at(
    conn: &impl sea_orm::ConnectionTrait,
    user_id: i32,
    at: chrono::DateTime<Utc>,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::LastSignInAt, Expr::value(at))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    crate::usage::signed_in(conn, user_id, at).await
}

pub async fn refusal(db: &Db, found: &user::Model) -> Result<Option<Code>> {
    let site_expires_on = sites::effective_expiry(db, found.site_id).await?;
    Ok(refusal_of(
        found.active,
        found.pending.as_deref(),
        found.expires_on.into_iter().chain(site_expires_on).min(),
        wire::time::today(),
    ))
}

/// [`refusal`] from what was read already: the account's state and its last day (the earliest
/// of its own date and its sites').
pub(crate) fn refusal_of(
    active: bool,
    pending: Option<&str>,
    expires_on: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Option<Code> {
    if !active {
        return Some(Code::AccountInactive);
    }
    match pending {
        Some(PENDING_VERIFY) => return Some(Code::EmailNotVerified),
        Some(_) => return Some(Code::AwaitingApproval),
        None => {}
    }
    expires_on
        .filter(|date| *date < today)
        .map(|_| Code::AccountExpired)
}
