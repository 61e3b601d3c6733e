//! What a licensed application asks: may this user use this product, until when, and which
//! products their valid licences cover.
use chrono::NaiveDate;
use uuid::Uuid;

use super::status::{periods, Status};
use crate::access::{self, Operation, SiteScope};
use crate::cache::{self, TtlCache};
use crate::error::Result;
use crate::users::resolve;
use crate::{products, Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceCheck {
    /// A valid licence that covers the product asked about (or any product, when none was).
    pub valid: bool,
    pub status: Status,
    /// The last day of the longest valid licence.
    pub until: Option<NaiveDate>,
    /// Product keys the valid licences cover, sorted.
    pub products: Vec<String>,
}

/// The user's own licence, or any user's for a principal who may view licences there.
pub async fn check(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<LicenceCheck> {
    let key = (user, product.map(str::to_string), today);
    let generation = cache::generation();
    let (target_id, scope, answer) = match CHECKS.get(&key) {
        Some(hit) => (hit.0, hit.1, Some(hit.2)),
        None => {
            let (target, site) = resolve(db, user).await?;
            (target.id, site.scope, None)
        }
    };
    // The decision is taken on every call, from the (possibly cached) facts.
    if principal.user_id() != Some(target_id) {
        access::require(principal, Operation::ViewLicences, &scope)?;
    }
    if let Some(answer) = answer {
        return Ok(answer);
    }
    let answer = evaluate(db, target_id, product, today).await?;
    CHECKS.put(key, generation, (target_id, scope, answer.clone()));
    Ok(answer)
}

/// Licence checks by (user, product, day): the user's id and site scope, and the answer.
type CheckKey = (Uuid, Option<String>, NaiveDate);
static CHECKS: TtlCache<CheckKey, (i32, SiteScope, LicenceCheck)> = TtlCache::new();

/// The check itself, for callers that decided access already.
pub(crate) async fn evaluate(
    db: &Db,
    user_id: i32,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<LicenceCheck> {
    if let Some(key) = product {
        products::find_by_key(db.conn(), key).await?;
    }
    let held = periods(db.conn(), user_id).await?;
    let status = Status::of(&held, today);
    let valid_now: Vec<_> = held
        .iter()
        .filter(|p| p.from <= today && today <= p.until)
        .collect();
    let mut keys: Vec<String> = Vec::new();
    for p in &valid_now {
        keys.extend(products::bundle_keys(db.conn(), p.bundle_id).await?);
    }
    keys.sort();
    keys.dedup();
    let covered = match product {
        Some(key) => keys.iter().any(|k| k == key),
        None => !keys.is_empty() || !valid_now.is_empty(),
    };
    Ok(LicenceCheck {
        valid: status.is_valid() && covered,
        status,
        until: valid_now.iter().map(|p| p.until).max(),
        products: keys,
    })
}
