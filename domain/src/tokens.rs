//! Single-use tokens mailed to users: address verification, invitations, password resets.
//! Only a SHA-256 of each token is stored; the token itself exists only in the mail's link.
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::entities::user_token;
use crate::error::{Code, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirms an e-mail address (sign-up, self-registration).
    Verify,
    /// Lets an invited user choose their first password.
    Invite,
    /// Lets a user who forgot their password choose a new one.
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
        }
    }

    /// How long a link stays valid.
    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::Verify => Duration::from_secs(48 * 3600),
            Purpose::Invite => Duration::from_secs(7 * 24 * 3600),
            Purpose::Reset => Duration::from_secs(3600),
        }
    }
}

pub fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The bytes of lower- or upper-case hexadecimal digits (`None` for anything else).
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Lower-case hexadecimal digits of the bytes (on every API request: no allocation per byte).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Issues a new token for the user (earlier unused ones of the same purpose stop working).
pub async fn issue(conn: &impl ConnectionTrait, user_id: i32, purpose: Purpose) -> Result<String> {
    let bytes: [u8; 32] = rand::random();
    let token = hex(&bytes);
    let now = Utc::now();
    user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(now))
        .filter(user_token::Column::UserId.eq(user_id))
        .filter(user_token::Column::Purpose.eq(purpose.as_str()))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    let lifetime = chrono::Duration::from_std(purpose.lifetime()).unwrap_or_default();
    user_token::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_string()),
        token_hash: Set(digest(&token)),
        expires_at: Set(now + lifetime),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// Uses a token up, inside the caller's transaction: one conditional UPDATE, so a link works
/// once even when opened twice at the same moment.
pub async fn consume(
    conn: &impl ConnectionTrait,
    token: &str,
    purposes: &[Purpose],
) -> Result<i32> {
    let found = valid(conn, token, purposes).await?;
    let used = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(user_token::Column::Id.eq(found.id))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if used.rows_affected != 1 {
        return Err(Error::Refused(Code::LinkUsed));
    }
    Ok(found.user_id)
}

/// Checks a token without using it (to show the right page before the form is sent).
pub async fn peek(conn: &impl ConnectionTrait, token: &str, purposes: &[Purpose]) -> Result<i32> {
    Ok(valid(conn, token, purposes).await?.user_id)
}

/// The token's row if it can still be used; otherwise why not: unknown (or for another
/// purpose), used, or expired.
async fn valid(
    conn: &impl ConnectionTrait,
    token: &str,
    purposes: &[Purpose],
) -> Result<user_token::Model> {
    let kinds: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    let found = user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(digest(token.trim())))
        .filter(user_token::Column::Purpose.is_in(kinds))
        .one(conn)
        .await?
        .ok_or(Error::Refused(Code::LinkInvalid))?;
    if found.used_at.is_some() {
        return Err(Error::Refused(Code::LinkUsed));
    }
    if found.expires_at <= Utc::now() {
        return Err(Error::Refused(Code::LinkExpired));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lower_case_digits_per_byte() {
        let bytes: Vec<u8> = (0..=255).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(super::hex(&bytes), expected);
        assert_eq!(super::hex(&[]), "");
    }
}
