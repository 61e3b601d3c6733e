//! Browsers that signed in before (OWASP's device cookies): after a successful password
//! sign-in the browser gets a random token in a long-lived HttpOnly cookie, bound to that
//! account; only its SHA-256 is stored. A later sign-in to the same account that carries it
//! is throttled on its own counter instead of the account's and the address's, so a stranger
//! guessing (or a whole school network failing) cannot lock a known browser out. The token
//! proves nothing else: the password is still checked.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entities::trusted_device;
use crate::error::Result;
use crate::Db;

/// The most tokens one browser keeps (accounts signed in from it), newest first.
pub const MAX_PER_BROWSER: usize = 5;
/// How long a token is remembered without being used.
pub const LIFETIME_DAYS: i64 = 365;

/// The device among `tokens` (the browser's cookie) that signed in to `user_id` before.
pub async fn recognise(db: &Db, user_id: i32, tokens: &[String]) -> Result<Option<(i32, String)>> {
    let tokens: Vec<&String> = tokens.iter().take(MAX_PER_BROWSER).collect();
    if tokens.is_empty() {
        return Ok(None);
    }
    let digests: Vec<String> = tokens.iter().map(|t| crate::tokens::digest(t)).collect();
    let oldest = Utc::now() - chrono::Duration::days(LIFETIME_DAYS);
    let found = trusted_device::Entity::find()
        .filter(trusted_device::Column::UserId.eq(user_id))
        .filter(trusted_device::Column::TokenHash.is_in(digests.clone()))
        .filter(trusted_device::Column::LastUsedAt.gt(oldest))
        .one(db.conn())
        .await?;
    Ok(found.and_then(|device| {
        let at = digests.iter().position(|d| *d == device.token_hash)?;
        Some((device.id, tokens.get(at)?.to_string()))
    }))
}

/// After a successful sign-in: the token this browser keeps for the account (the known one,
/// marked as used now, or a new one).
pub async fn remember(db: &Db, user_id: i32, known: Option<(i32, String)>) -> Result<String> {
    let now = Utc::now();
    if let Some((id, token)) = known {
        trusted_device::Entity::update_many()
            .col_expr(trusted_device::Column::LastUsedAt, Expr::value(now))
            .filter(trusted_device::Column::Id.eq(id))
            .exec(&*db.autocommit().await)
            .await?;
        return Ok(token);
    }
    let bytes: [u8; 32] = rand::random();
    let token = crate::tokens::hex(&bytes);
    trusted_device::ActiveModel {
        token_hash: Set(crate::tokens::digest(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_used_at: Set(now),
        ..Default::default()
    }
    .insert(&*db.autocommit().await)
    .await?;
    Ok(token)
}

/// The cookie's new value: `token` first, then the browser's other tokens, at most
/// [`MAX_PER_BROWSER`]. Tokens are hex, joined by `.`.
pub fn cookie_value(token: &str, others: &[String]) -> String {
    std::iter::once(token)
        .chain(others.iter().map(String::as_str).filter(|t| *t != token))
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .take(MAX_PER_BROWSER)
        .collect::<Vec<_>>()
        .join(".")
}

/// The tokens in a cookie value.
pub fn tokens_in(cookie: &str) -> Vec<String> {
    cookie
        .split('.')
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .take(MAX_PER_BROWSER)
        .map(str::to_string)
        .collect()
}

/// Forgets devices unused for longer than their lifetime.
pub async fn forget_old(db: &Db) -> Result<u64> {
    let deleted = trusted_device::Entity::delete_many()
        .filter(
            trusted_device::Column::LastUsedAt
                .lt(Utc::now() - chrono::Duration::days(LIFETIME_DAYS)),
        )
        .exec(&*db.autocommit().await)
        .await?;
    Ok(deleted.rows_affected)
}
