//! The licence check of an application calling with its token, in one statement without the
//! cache (read together with the other checks waiting, see [`super::batch`]): the token with
//! its account and grants, and the user's facts (site ancestry, licences with their products,
//! whether the product exists). Nothing is told before the token is accepted: an unknown or
//! refused token is `Unauthenticated` whatever the user.
use chrono::NaiveDate;
use uuid::Uuid;

use super::batch::{self, not_read, Ask};
use super::check::{cached, conclude, known_of, CheckKey, Known};
use super::LicenceCheck;
use crate::api_tokens;
use crate::cache;
use crate::error::{Error, Result};
use crate::Db;

/// May this user use this product, asked with an API token's secret: the caller is the token's
/// account, as [`api_tokens::authenticate`] accepts it.
pub async fn check_with_token(
    db: &Db,
    secret: &str,
    user: Uuid,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<LicenceCheck> {
    check_many_with_token(db, secret, &[(user, product)], today)
        .await?
        .pop()
        .ok_or_else(not_read)?
}

/// The checks of several users at once (one statement for all that are not cached), in order.
/// A refused token refuses them all; otherwise each has its own answer.
pub async fn check_many_with_token(
    db: &Db,
    secret: &str,
    checks: &[(Uuid, Option<&str>)],
    today: NaiveDate,
) -> Result<Vec<Result<LicenceCheck>>> {
    let digest = api_tokens::digest_of(secret)?;
    let generation = cache::generation();
    let keys: Vec<CheckKey> = checks
        .iter()
        .map(|&(user, product)| (user, product.map(|p| p.trim().to_string()), today))
        .collect();
    let mut token = api_tokens::cached(&digest);
    let mut known: Vec<Option<Result<Known>>> =
        keys.iter().map(|key| cached(key).map(Ok)).collect();
    let asks: Vec<Ask> = keys
        .iter()
        .zip(&known)
        .filter(|(_, known)| known.is_none())
        .enumerate()
        .map(|(i, ((user, product, _), _))| Ask {
            // The token once, with the first check, when it is not cached.
            digest: (i == 0 && token.is_none()).then(|| digest.clone()),
            user: *user,
            product: product.clone(),
            today,
        })
        .collect();
    let mut reads = batch::read(db, asks).await?.into_iter();
    for (slot, (_, product, _)) in known.iter_mut().zip(&keys) {
        if slot.is_some() {
            continue;
        }
        let read = reads.next().ok_or_else(not_read)?;
        if let Some(read) = read.token {
            // The facts stay a `Result` until the token is accepted: a refused token tells nothing.
            let loaded = read?.ok_or(Error::Unauthenticated)?;
            api_tokens::remember(&digest, generation, &loaded);
            token = Some(loaded);
        }
        *slot = Some(known_of(read.facts, product.as_deref(), today));
    }
    // Every answer cached: the token alone is one statement, if it is not cached too.
    let token = match token {
        Some(token) => token,
        None => api_tokens::find(db, &digest, today).await?,
    };
    let principal = api_tokens::accept(db, digest, token, today).await?;
    Ok(keys
        .into_iter()
        .zip(known)
        .map(|(key, known)| {
            let known = known.ok_or_else(not_read)?;
            conclude(&principal, key, generation, known?)
        })
        .collect())
}
