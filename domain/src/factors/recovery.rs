//! Recovery codes: ten single-use codes (`xxxxx-xxxxx`, 50 random bits each) given when the
//! first factor is confirmed, shown once and kept as SHA-256 hashes. Each signs in once in
//! place of a code from the app; using one is throttled like the app's codes.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::list::journal;
use crate::audit::{Action, Change};
use crate::auth::throttle;
use crate::entities::recovery_code;
use crate::error::{Code, Error, Result};
use crate::tokens::hex;
use crate::{Db, Principal};

/// Codes in a set.
pub const COUNT: usize = 10;
/// Letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

fn new_code() -> String {
    let mut code = String::with_capacity(11);
    for i in 0..10 {
        if i == 5 {
            code.push('-');
        }
        let pick = usize::from(rand::random::<u8>()) % ALPHABET.len();
        code.push(char::from(ALPHABET[pick]));
    }
    code
}

/// The hash of a code as typed: dashes and spaces left out, any case.
fn hashed(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex(&Sha256::digest(normal.as_bytes()))
}

/// Unused codes of the user.
pub(super) async fn left_in(conn: &impl ConnectionTrait, user_id: i32) -> Result<u64> {
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(conn)
        .await?)
}

/// A new set of codes for the user, replacing any earlier set (in the caller's transaction).
pub(super) async fn issue_in(
    conn: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    let codes: Vec<String> = (0..COUNT).map(|_| new_code()).collect();
    recovery_code::Entity::insert_many(codes.iter().map(|code| recovery_code::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(hashed(code)),
        created_at: Set(now),
        used_at: Set(None),
        ..Default::default()
    }))
    .exec(conn)
    .await?;
    Ok(codes)
}

/// How many unused recovery codes the signed-in user has.
pub async fn recovery_codes_left(db: &Db, principal: &Principal) -> Result<u64> {
    let me = principal.user_id().ok_or(Error::Unauthenticated)?;
    left_in(db.conn(), me).await
}

/// A new set of recovery codes for the signed-in user (the old ones stop working), shown once.
pub async fn regenerate_recovery_codes(
    db: &Db,
    principal: &Principal,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let me = principal.user_id().ok_or(Error::Unauthenticated)?;
    let txn = db.write_uncached().await?;
    let codes = issue_in(&*txn, me, now).await?;
    journal(
        db,
        &*txn,
        principal,
        me,
        Action::RecoveryCodesRenew,
        vec![Change::set("recovery_codes", COUNT)],
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Signs in with a recovery code in place of the app's: each code once (the statement that
/// marks it used checks it was not). Throttled per user with the app's codes.
pub async fn use_recovery_code(
    db: &Db,
    user_id: i32,
    code: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let keys = throttle::Keys::second_factor(user_id);
    throttle::guarded(db, &keys, async {
        let conn = db.autocommit().await;
        let used = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::CodeHash.eq(hashed(code)))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&*conn)
            .await?;
        if used.rows_affected == 1 {
            Ok(())
        } else {
            Err(Error::Refused(Code::RecoveryCodeInvalid))
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_make_codes_that_read_back_as_typed() {
        let code = new_code();
        assert_eq!(code.len(), 11);
        assert_eq!(code.as_bytes()[5], b'-');
        assert_eq!(
            hashed(&code),
            hashed(&code.to_uppercase().replace('-', " "))
        );
        assert_ne!(hashed(&code), hashed(&new_code()));
    }
}
