//! Throttling, in the database (so it holds across server processes).
//!
//! **Attempts** (sign-in, guessing a serial number or registration code): every attempt is
//! counted *before* the password or code is checked, in one conditional upsert per counter
//! that refuses while the counter waits. From the threshold on, the attempt that reaches it
//! also starts the wait at once (before its own check), so parallel guesses cannot all pass:
//! of N simultaneous guesses at most the threshold are checked, the others are refused. After
//! the threshold each further failure doubles the wait (5 s, 10 s, … 15 min). A success
//! clears the counters that are its own (the account's, the device's) and gives back its
//! attempt on the shared ones (the address's): a school signing in from one address only adds
//! up its failures. A refused attempt changes nothing.
//!
//! Which counters an attempt touches (see [`Keys`]): a password sign-in from a browser that
//! signed in to that account before (a device cookie, OWASP's answer to lockout as a denial
//! of service) counts only on that device; any other sign-in counts on the account and on the
//! client address, so a stranger is slowed per account and per address while known devices
//! keep working. An application's `POST /api/v1/authenticate` counts per calling account and
//! user, apart from the web sign-in.
//!
//! **Requests** (self-registration, sign-up, password-reset mail): at most a number per
//! client address in a window ([`request`]).
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, QueryFilter, Set};

use crate::entities::sign_in_throttle::{self, Column, Entity};
use crate::error::{Code, Error, Result};
use crate::Db;

/// Failures per account (for strangers) before waits begin.
pub const ACCOUNT_THRESHOLD: i32 = 5;
/// Failures per browser that signed in to the account before.
pub const DEVICE_THRESHOLD: i32 = 5;
/// Failures per client address before waits begin (a school signs in from behind one).
pub const ADDRESS_THRESHOLD: i32 = 20;
/// Failures per application account and user on the HTTP API.
pub const APPLICATION_THRESHOLD: i32 = 5;
/// Unknown serial numbers or registration codes per client address before waits begin.
pub const LOOKUP_THRESHOLD: i32 = 20;
const FIRST_WAIT_SECS: i64 = 5;
const MAX_WAIT_SECS: i64 = 15 * 60;

/// One counter an attempt touches.
#[derive(Debug, Clone)]
struct Counter {
    key: String,
    threshold: i32,
    /// Shared by many (an address): a success gives back its attempt instead of clearing.
    shared: bool,
}

/// The counters one attempt touches.
#[derive(Debug, Clone)]
pub struct Keys {
    counters: Vec<Counter>,
}

fn own(key: String, threshold: i32) -> Counter {
    Counter {
        key,
        threshold,
        shared: false,
    }
}

fn shared(key: String, threshold: i32) -> Counter {
    Counter {
        key,
        threshold,
        shared: true,
    }
}

impl Keys {
    /// A password sign-in by a stranger: the account, and the client address when known.
    pub fn new(username: &str, address: Option<&str>) -> Keys {
        let mut counters = vec![own(
            format!("account:{}", username.trim().to_lowercase()),
            ACCOUNT_THRESHOLD,
        )];
        counters.extend(address.map(|a| shared(format!("address:{a}"), ADDRESS_THRESHOLD)));
        Keys { counters }
    }

    /// A password sign-in from a browser that signed in to this account before.
    pub fn device(device_id: i32) -> Keys {
        Keys {
            counters: vec![own(format!("device:{device_id}"), DEVICE_THRESHOLD)],
        }
    }

    /// An application (the account of its API token) signing a user in.
    pub fn application(caller_id: i32, username: &str) -> Keys {
        Keys {
            counters: vec![own(
                format!("application:{caller_id}:{}", username.trim().to_lowercase()),
                APPLICATION_THRESHOLD,
            )],
        }
    }

    /// A user redeeming activation codes.
    pub fn redemption(user_id: i32) -> Keys {
        Keys {
            counters: vec![own(format!("redeem:{user_id}"), ACCOUNT_THRESHOLD)],
        }
    }

    /// A user proving their second factor (a code from their app or a recovery code).
    pub fn second_factor(user_id: i32) -> Keys {
        Keys {
            counters: vec![own(format!("factor:{user_id}"), ACCOUNT_THRESHOLD)],
        }
    }

    /// Looking up a serial number or registration code (`what`) from an address; none
    /// without an address (no counter then).
    pub fn lookup(what: &str, address: Option<&str>) -> Keys {
        Keys {
            counters: address
                .map(|a| shared(format!("{what}:{a}"), LOOKUP_THRESHOLD))
                .into_iter()
                .collect(),
        }
    }
}

/// The wait after `failures` failures with this threshold (none below it).
pub fn wait_after(failures: i32, threshold: i32) -> Option<chrono::Duration> {
    let over = failures - threshold;
    (over >= 0).then(|| {
        let secs = FIRST_WAIT_SECS.saturating_mul(1i64 << Ord::min(over, 20));
        chrono::Duration::seconds(Ord::min(secs, MAX_WAIT_SECS))
    })
}

fn too_many(until: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    let seconds = Ord::max((until - now).num_seconds(), 1);
    Error::RefusedAt(Code::TooManyAttempts, vec![seconds.to_string()])
}

/// Whether a conditional upsert wrote its row (a false condition writes none).
fn affected(outcome: std::result::Result<u64, sea_orm::DbErr>) -> Result<bool> {
    match outcome {
        Ok(rows) => Ok(rows > 0),
        Err(sea_orm::DbErr::RecordNotInserted) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Takes one attempt on every counter, before anything is checked, or refuses (saying how
/// many seconds remain) while one of them waits; a refused attempt counts nowhere. Each
/// counter is one conditional upsert: the database's row lock (PostgreSQL) or the single
/// writer (SQLite) makes parallel attempts take their turns, each seeing the ones before.
pub async fn take(db: &Db, keys: &Keys) -> Result<()> {
    let txn = db.write_uncached().await?;
    take_in(&txn, keys).await?;
    txn.commit().await
}

/// [`take`] inside the caller's transaction: the attempt counts when it commits (a check that
/// fails commits it alone; one that passes gives it back in the same commit, see
/// [`succeeded_in`]). On a refusal the caller drops the transaction.
pub(crate) async fn take_in(txn: &crate::db::WriteTxn, keys: &Keys) -> Result<()> {
    let now = Utc::now();
    let open = Expr::col((Entity, Column::BlockedUntil))
        .is_null()
        .or(Expr::col((Entity, Column::BlockedUntil)).lte(now));
    for counter in &keys.counters {
        let taken = Entity::insert(sign_in_throttle::ActiveModel {
            key: Set(counter.key.clone()),
            failures: Set(1),
            blocked_until: Set(None),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(Column::Key)
                .value(
                    Column::Failures,
                    Expr::col((Entity, Column::Failures)).add(1),
                )
                .value(Column::UpdatedAt, Expr::value(now))
                .action_and_where(open.clone())
                .to_owned(),
        )
        .exec_with_returning(&**txn)
        .await;
        // The row as written (one statement); none when the counter waits.
        let failures = match taken {
            Ok(row) => row.failures,
            // No row back: the condition held the counter (sea-orm says "not found").
            Err(sea_orm::DbErr::RecordNotFound(_) | sea_orm::DbErr::RecordNotInserted) => {
                // Dropping the transaction takes back what the earlier counters took.
                let row = Entity::find_by_id(counter.key.clone()).one(&**txn).await?;
                let until = row.and_then(|r| r.blocked_until).unwrap_or(now);
                return Err(too_many(until, now));
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(wait) = wait_after(failures, counter.threshold) {
            Entity::update_many()
                .col_expr(Column::BlockedUntil, Expr::value(now + wait))
                .filter(Column::Key.eq(counter.key.clone()))
                .exec(&**txn)
                .await?;
        }
    }
    Ok(())
}

/// The attempt succeeded: its own counters are cleared, the shared ones get their attempt
/// back (and stop waiting when that brings them below the threshold).
pub async fn succeeded(db: &Db, keys: &Keys) -> Result<()> {
    if keys.counters.is_empty() {
        return Ok(());
    }
    let txn = db.write_uncached().await?;
    succeeded_in(&txn, keys).await?;
    txn.commit().await
}

/// [`succeeded`] inside the caller's transaction (a sign-in records its time in the same one).
pub(crate) async fn succeeded_in(txn: &crate::db::WriteTxn, keys: &Keys) -> Result<()> {
    for counter in &keys.counters {
        if counter.shared {
            let failures = Expr::col(Column::Failures);
            Entity::update_many()
                .col_expr(Column::Failures, failures.clone().sub(1))
                .col_expr(
                    Column::BlockedUntil,
                    Expr::case(
                        failures.sub(1).lt(counter.threshold),
                        Expr::value(Option::<DateTime<Utc>>::None),
                    )
                    .finally(Expr::col(Column::BlockedUntil))
                    .into(),
                )
                .filter(Column::Key.eq(counter.key.clone()))
                .filter(Column::Failures.gt(0))
                .exec(&**txn)
                .await?;
        } else {
            Entity::delete_many()
                .filter(Column::Key.eq(counter.key.clone()))
                .exec(&**txn)
                .await?;
        }
    }
    Ok(())
}

/// Runs `check` as one attempt on `keys`: taken before, given back when it succeeds.
pub async fn guarded<T>(
    db: &Db,
    keys: &Keys,
    check: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    take(db, keys).await?;
    let outcome = check.await;
    if outcome.is_ok() {
        succeeded(db, keys).await?;
    }
    outcome
}

/// Requests limited per client address in a fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Self-registration with a code and sign-up with a serial number.
    Registration,
    /// "Forgot password" mails.
    PasswordReset,
}

impl Request {
    fn name(self) -> &'static str {
        match self {
            Request::Registration => "registration",
            Request::PasswordReset => "reset",
        }
    }

    /// How many in one window, and the window. A class of thirty registers in one lesson.
    pub fn limit(self) -> (i32, chrono::Duration) {
        match self {
            Request::Registration => (40, chrono::Duration::minutes(10)),
            Request::PasswordReset => (10, chrono::Duration::minutes(10)),
        }
    }
}

/// Counts one request of this kind from `address`, or refuses (saying how many seconds until
/// the window ends) when the window's allowance is used up. One conditional upsert; for these
/// counters `blocked_until` holds the end of the current window. Without an address: no limit.
pub async fn request(db: &Db, kind: Request, address: Option<&str>) -> Result<()> {
    let Some(address) = address else {
        return Ok(());
    };
    let (limit, window) = kind.limit();
    let key = format!("request:{}:{address}", kind.name());
    let now = Utc::now();
    let txn = db.write_uncached().await?;
    let ended = Expr::col((Entity, Column::BlockedUntil))
        .is_null()
        .or(Expr::col((Entity, Column::BlockedUntil)).lte(now));
    let taken = Entity::insert(sign_in_throttle::ActiveModel {
        key: Set(key.clone()),
        failures: Set(1),
        blocked_until: Set(Some(now + window)),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(Column::Key)
            .value(
                Column::Failures,
                Expr::case(ended.clone(), 1).finally(Expr::col((Entity, Column::Failures)).add(1)),
            )
            .value(
                Column::BlockedUntil,
                Expr::case(ended.clone(), Expr::value(now + window))
                    .finally(Expr::col((Entity, Column::BlockedUntil))),
            )
            .value(Column::UpdatedAt, Expr::value(now))
            .action_and_where(ended.or(Expr::col((Entity, Column::Failures)).lt(limit)))
            .to_owned(),
    )
    .exec_without_returning(&*txn)
    .await;
    if affected(taken)? {
        return txn.commit().await;
    }
    let until = Entity::find_by_id(key)
        .one(&*txn)
        .await?
        .and_then(|row| row.blocked_until)
        .unwrap_or(now);
    Err(too_many(until, now))
}

/// Forgets counters untouched for a day (called with the session cleaning).
pub async fn forget_old(db: &Db) -> Result<u64> {
    let deleted = Entity::delete_many()
        .filter(Column::UpdatedAt.lt(Utc::now() - chrono::Duration::days(1)))
        .exec(&*db.autocommit().await)
        .await?;
    Ok(deleted.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_wait_only_from_the_threshold_and_double_after() {
        let waits: Vec<i64> = (3..=9)
            .map(|f| wait_after(f, 5).map_or(0, |w| w.num_seconds()))
            .collect();
        assert_eq!(waits, [0, 0, 5, 10, 20, 40, 80]);
        assert_eq!(
            wait_after(40, 5).map(|w| w.num_seconds()),
            Some(MAX_WAIT_SECS)
        );
    }
}
