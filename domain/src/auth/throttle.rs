//! Throttling of failed sign-ins, per account and per client address, in the database (so it
//! holds across server processes). After a threshold of failures each further failure doubles
//! the wait; a successful sign-in clears the account's counter.
//!
//! The address threshold is higher than the account's: a school signs in from behind one
//! address, and thirty pupils mistyping must not lock out the class.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, QueryFilter, Set};

use crate::entities::sign_in_throttle;
use crate::error::{Code, Error, Result};
use crate::Db;

/// Failures per account before waits begin.
pub const ACCOUNT_THRESHOLD: i32 = 5;
/// Failures per client address before waits begin.
pub const ADDRESS_THRESHOLD: i32 = 20;
const FIRST_WAIT_SECS: i64 = 5;
const MAX_WAIT_SECS: i64 = 15 * 60;

/// The counters one sign-in attempt touches.
#[derive(Debug, Clone)]
pub struct Keys {
    account: String,
    address: Option<String>,
}

impl Keys {
    pub fn new(username: &str, address: Option<&str>) -> Keys {
        Keys {
            account: format!("account:{}", username.trim().to_lowercase()),
            address: address.map(|a| format!("address:{a}")),
        }
    }

    fn all(&self) -> Vec<String> {
        std::iter::once(self.account.clone())
            .chain(self.address.clone())
            .collect()
    }

    fn threshold(&self, key: &str) -> i32 {
        if key == self.account {
            ACCOUNT_THRESHOLD
        } else {
            ADDRESS_THRESHOLD
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

/// Refuses while either counter is in its wait, saying how many seconds remain. Answers
/// whether the account has failures on record (so a success knows to clear them).
pub async fn check(db: &Db, keys: &Keys) -> Result<bool> {
    let rows = sign_in_throttle::Entity::find()
        .filter(sign_in_throttle::Column::Key.is_in(keys.all()))
        .all(db.conn())
        .await?;
    let now = Utc::now();
    let blocked_until: Option<DateTime<Utc>> = rows
        .iter()
        .filter_map(|row| row.blocked_until)
        .filter(|until| *until > now)
        .max();
    if let Some(until) = blocked_until {
        let seconds = Ord::max((until - now).num_seconds(), 1);
        return Err(Error::RefusedAt(
            Code::TooManyAttempts,
            vec![seconds.to_string()],
        ));
    }
    Ok(rows.iter().any(|row| row.key == keys.account))
}

/// Counts a failure on both counters and starts their waits once past the thresholds.
pub async fn failed(db: &Db, keys: &Keys) -> Result<()> {
    let now = Utc::now();
    let txn = db.write().await?;
    for key in keys.all() {
        sign_in_throttle::Entity::insert(sign_in_throttle::ActiveModel {
            key: Set(key.clone()),
            failures: Set(1),
            blocked_until: Set(None),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(sign_in_throttle::Column::Key)
                .value(
                    sign_in_throttle::Column::Failures,
                    Expr::col((sign_in_throttle::Entity, sign_in_throttle::Column::Failures))
                        .add(1),
                )
                .value(sign_in_throttle::Column::UpdatedAt, Expr::value(now))
                .to_owned(),
        )
        .exec(&*txn)
        .await?;
        let failures = sign_in_throttle::Entity::find_by_id(key.clone())
            .one(&*txn)
            .await?
            .map(|row| row.failures)
            .unwrap_or(1);
        if let Some(wait) = wait_after(failures, keys.threshold(&key)) {
            sign_in_throttle::Entity::update_many()
                .col_expr(
                    sign_in_throttle::Column::BlockedUntil,
                    Expr::value(now + wait),
                )
                .filter(sign_in_throttle::Column::Key.eq(key))
                .exec(&*txn)
                .await?;
        }
    }
    txn.commit().await
}

/// A successful sign-in clears the account's counter. The address counter stays: one valid
/// account must not reset the count of guesses at others from the same address.
pub async fn succeeded(db: &Db, keys: &Keys) -> Result<()> {
    sign_in_throttle::Entity::delete_many()
        .filter(sign_in_throttle::Column::Key.eq(keys.account.clone()))
        .exec(db.conn())
        .await?;
    Ok(())
}

/// Forgets counters untouched for a day (called with the session cleaning).
pub async fn forget_old(db: &Db) -> Result<u64> {
    let deleted = sign_in_throttle::Entity::delete_many()
        .filter(sign_in_throttle::Column::UpdatedAt.lt(Utc::now() - chrono::Duration::days(1)))
        .exec(db.conn())
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
