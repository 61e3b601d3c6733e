//! What a licensed application asks: may this user use this product, until when, and which
//! products their valid licences cover.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::QueryResult;
use uuid::Uuid;

use super::batch::{self, Ask};
use super::status::{periods, Period, Status};
use crate::access::{self, Operation, SiteScope};
use crate::cache::{self, TtlCache};
use crate::error::{Code, Error, Result};
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
/// Without the cache this is one statement (after the caller's principal): the user's site
/// ancestry for the access decision, their licences' periods with the products they cover, and
/// whether the product asked about exists.
pub async fn check(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<LicenceCheck> {
    let product = product.map(str::trim);
    let key = (user, product.map(str::to_string), today);
    let generation = cache::generation();
    let known = match cached(&key) {
        Some(hit) => hit,
        None => known_of(facts(db, user, product, today).await, product, today)?,
    };
    conclude(principal, key, generation, known)
}

/// The facts of a check for a caller that decides access itself (through the same cache): the
/// user's id and scope, and the answer or why there is none.
pub(crate) async fn known(
    db: &Db,
    user: Uuid,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<Known> {
    let product = product.map(str::trim);
    let key = (user, product.map(str::to_string), today);
    if let Some(hit) = cached(&key) {
        return Ok(hit);
    }
    let generation = cache::generation();
    let (target_id, scope, answer) =
        known_of(facts(db, user, product, today).await, product, today)?;
    if let Ok(answer) = &answer {
        CHECKS.put(key, generation, (target_id, scope.clone(), answer.clone()));
    }
    Ok((target_id, scope, answer))
}

/// The user's id and scope, and the answer (or why there is none), from the facts read; an
/// unknown user is the caller's error at once.
pub(super) fn known_of(
    facts: Result<Facts>,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<Known> {
    let facts = facts?;
    let answer = facts.answer(product, today);
    Ok((facts.user_id, facts.scope, answer))
}

/// The decision, taken on every call from the (possibly cached) facts: an unknown product is
/// told only to those who may see the answer.
pub(super) fn conclude(
    principal: &Principal,
    key: CheckKey,
    generation: u64,
    (target_id, scope, answer): Known,
) -> Result<LicenceCheck> {
    if principal.user_id() != Some(target_id) {
        access::require(principal, Operation::ViewLicences, &scope).inspect_err(|_| {
            metrics::counter!("licentia_licence_checks_total", "outcome" => "refused").increment(1);
        })?;
    }
    let answer = answer?;
    let outcome = if answer.valid { "valid" } else { "invalid" };
    metrics::counter!("licentia_licence_checks_total", "outcome" => outcome).increment(1);
    CHECKS.put(key, generation, (target_id, scope, answer.clone()));
    Ok(answer)
}

/// What a check knows before deciding: the user's id and site scope, and the answer.
pub(super) type Known = (i32, SiteScope, Result<LicenceCheck>);

/// Licence checks by (user, product, day): the user's id and site scope, and the answer.
pub(super) type CheckKey = (Uuid, Option<String>, NaiveDate);
static CHECKS: TtlCache<CheckKey, (i32, SiteScope, LicenceCheck)> = TtlCache::new();

/// A check's facts as concluded before (while the cache holds them).
pub(super) fn cached(key: &CheckKey) -> Option<Known> {
    CHECKS
        .get(key)
        .map(|(target_id, scope, answer)| (target_id, scope, Ok(answer)))
}

/// What one statement tells about a user's licences.
pub(super) struct Facts {
    user_id: i32,
    scope: SiteScope,
    held: Vec<Period>,
    /// Product keys per subscription (all products for a subscription without a bundle).
    keys: Vec<(i32, String)>,
    product_exists: bool,
}

/// The facts of a user's licences, read with whatever other checks are waiting (one statement).
pub(super) async fn facts(
    db: &Db,
    user: Uuid,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<Facts> {
    let ask = Ask {
        digest: None,
        user,
        product: product.map(str::to_string),
        today,
    };
    batch::read_one(db, ask).await?.facts
}

/// The statement of the checks of these users (with the caller's token, when given): what the
/// plans of the hot paths are checked on.
pub(crate) fn facts_statement(
    backend: sea_orm::DbBackend,
    digest: Option<&str>,
    users: &[Uuid],
    product: Option<&str>,
) -> sea_orm::Statement {
    let asks: Vec<Ask> = users
        .iter()
        .map(|&user| Ask {
            digest: digest.map(str::to_string),
            user,
            product: product.map(str::to_string),
            today: NaiveDate::MIN,
        })
        .collect();
    batch::statement(backend, &asks)
}

/// The facts from a user's rows of the checks' statement (kinds `a` and `l`), and whether the
/// product asked about exists; `NotFound` for an unknown user.
pub(super) fn facts_of<'a>(
    rows: impl Iterator<Item = &'a QueryResult>,
    product_exists: bool,
) -> Result<Facts> {
    let mut facts = Facts {
        user_id: 0,
        scope: SiteScope {
            ancestry: Vec::new(),
        },
        held: Vec::new(),
        keys: Vec::new(),
        product_exists,
    };
    let mut ancestry: Vec<(i32, i32)> = Vec::new();
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        match kind.as_str() {
            "a" => {
                facts.user_id = row.try_get("", "user_id")?;
                ancestry.push((row.try_get("", "depth")?, row.try_get("", "ancestor_id")?));
            }
            _ => {
                let subscription_id: i32 = row.try_get("", "subscription_id")?;
                if !facts
                    .held
                    .iter()
                    .any(|p| p.subscription_id == subscription_id)
                {
                    let assigned_at: DateTime<Utc> = row.try_get("", "assigned_at")?;
                    facts.held.push(Period {
                        subscription_id,
                        bundle_id: row.try_get("", "bundle_id")?,
                        from: row.try_get("", "valid_from")?,
                        until: row.try_get("", "valid_until")?,
                        assigned_on: wire::time::local_date(assigned_at),
                    });
                }
                if let Some(key) = row.try_get::<Option<String>>("", "product_key")? {
                    facts.keys.push((subscription_id, key));
                }
            }
        }
    }
    if ancestry.is_empty() {
        return Err(Error::NotFound);
    }
    ancestry.sort_unstable();
    facts.scope.ancestry = ancestry.into_iter().map(|(_, id)| id).collect();
    Ok(facts)
}

impl Facts {
    /// The answer, or why there is none (an unknown product).
    fn answer(&self, product: Option<&str>, today: NaiveDate) -> Result<LicenceCheck> {
        if product.is_some() && !self.product_exists {
            return Err(Error::Unknown {
                field: "product",
                code: Code::ProductUnknown,
            });
        }
        let keys: Vec<String> = self
            .held
            .iter()
            .filter(|p| p.from <= today && today <= p.until)
            .flat_map(|p| {
                self.keys
                    .iter()
                    .filter(move |(s, _)| *s == p.subscription_id)
                    .map(|(_, k)| k.clone())
            })
            .collect();
        Ok(decide(&self.held, keys, product, today))
    }
}

/// The answer from a user's licence periods and the product keys their valid ones cover.
fn decide(
    held: &[Period],
    mut keys: Vec<String>,
    product: Option<&str>,
    today: NaiveDate,
) -> LicenceCheck {
    let status = Status::of(held, today);
    let valid_now: Vec<_> = held
        .iter()
        .filter(|p| p.from <= today && today <= p.until)
        .collect();
    keys.sort();
    keys.dedup();
    let covered = match product {
        Some(key) => keys.iter().any(|k| k == key),
        None => !keys.is_empty() || !valid_now.is_empty(),
    };
    LicenceCheck {
        valid: status.is_valid() && covered,
        status,
        until: valid_now.iter().map(|p| p.until).max(),
        products: keys,
    }
}

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
    let mut keys: Vec<String> = Vec::new();
    for p in held.iter().filter(|p| p.from <= today && today <= p.until) {
        keys.extend(products::bundle_keys(db.conn(), p.bundle_id).await?);
    }
    Ok(decide(&held, keys, product, today))
}
