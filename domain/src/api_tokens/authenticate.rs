//! Who is calling the API: the account of a bearer token that is known, not revoked and not
//! expired, and whose account may still be used (active, not expired, not pending).
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::cache::{self, TtlCache};
use crate::entities::api_token;
use crate::error::{Error, Result};
use crate::identity::load::{self, TokenState};
use crate::{Db, Principal};

/// A token's state and its account's principal, by the token's digest.
static TOKENS: TtlCache<String, (TokenState, Principal)> = TtlCache::new();

/// The last use is written at most this often per token, so that checks stay reads.
const LAST_USE_PRECISION: Duration = Duration::seconds(60);

pub async fn authenticate(db: &Db, secret: &str, today: NaiveDate) -> Result<Principal> {
    let digest = digest_of(secret)?;
    let loaded = find(db, &digest, today).await?;
    accept(db, digest, loaded, today).await
}

/// The token and its account: from the cache, else in one statement (the token, its account,
/// the account's sites' last day, its grants), kept for the cache's time. Unknown: refused.
pub(crate) async fn find(
    db: &Db,
    digest: &str,
    today: NaiveDate,
) -> Result<(TokenState, Principal)> {
    if let Some(hit) = cached(digest) {
        return Ok(hit);
    }
    let generation = cache::generation();
    let loaded = load::by_token(db, digest, today)
        .await?
        .ok_or(Error::Unauthenticated)?;
    remember(digest, generation, &loaded);
    Ok(loaded)
}

/// The digest a token is stored under; a secret that cannot be a token is refused unread.
pub(crate) fn digest_of(secret: &str) -> Result<String> {
    let secret = secret.trim();
    if !secret.starts_with(super::PREFIX) {
        return Err(Error::Unauthenticated);
    }
    Ok(crate::tokens::digest(secret))
}

/// A token and its account as loaded before (while the cache holds them).
pub(crate) fn cached(digest: &str) -> Option<(TokenState, Principal)> {
    TOKENS.get(&digest.to_owned())
}

/// Keeps a loaded token and its account for the cache's time, unless a write came in between.
pub(crate) fn remember(digest: &str, generation: u64, loaded: &(TokenState, Principal)) {
    TOKENS.put(digest.to_string(), generation, loaded.clone());
}

/// The caller of a loaded token, if the token and its account may be used now; records the
/// token's use (at most once a minute).
pub(crate) async fn accept(
    db: &Db,
    digest: String,
    (mut found, principal): (TokenState, Principal),
    today: NaiveDate,
) -> Result<Principal> {
    if found.revoked || found.expires_on.is_some_and(|day| day < today) {
        return Err(Error::Unauthenticated);
    }
    if matches!(principal, Principal::Anonymous) {
        return Err(Error::Unauthenticated);
    }
    // An account that must choose a new password is refused until it has.
    let principal = principal.usable()?;
    let now = Utc::now();
    let stale = found
        .last_used_at
        .is_none_or(|used| used + LAST_USE_PRECISION <= now);
    if stale {
        let writer = db.autocommit().await;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(found.id))
            .filter(
                Condition::any()
                    .add(api_token::Column::LastUsedAt.is_null())
                    .add(api_token::Column::LastUsedAt.lte(now - LAST_USE_PRECISION)),
            )
            .exec(&*writer)
            .await?;
        drop(writer);
        found.last_used_at = Some(now);
        TOKENS.put(digest, cache::generation(), (found, principal.clone()));
    }
    Ok(principal)
}
