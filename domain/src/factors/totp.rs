//! Authenticator apps (TOTP: SHA-1, six digits, 30-second steps, as every app reads them).
//! The secret is made here, shown once for enrolment (a QR code of the `otpauth://` address
//! and the base32 text), and kept sealed; a code is valid one step either side of now (clock
//! skew) and only once.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::recovery;
use crate::auth::throttle;
use crate::entities::second_factor;
use crate::error::{Code, Error, Result};
use crate::seal;
use crate::{Db, Principal};

/// The server secret authenticator secrets are sealed under.
const SEALED_AS: &str = "second-factors";

/// The issuer the apps show next to the account.
pub const ISSUER: &str = "Licentia";
pub(super) const KIND: &str = "totp";
const NAME_MAX: usize = 100;

/// An enrolment begun: the factor to confirm, its secret (base32) and the `otpauth://` address
/// for the QR code. Shown once.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub factor: Uuid,
    pub secret: String,
    pub uri: String,
}

fn generator(secret: Vec<u8>) -> Result<totp_rs::Totp> {
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_skew(1)
        .build()
        .map_err(|_| Error::Internal("totp".into()))
}

/// The step whose code `code` is, one step either side of `now` (spaces ignored).
fn step_of(generator: &totp_rs::Totp, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let time = u64::try_from(now.timestamp()).ok()?;
    generator
        .check(&code, time)
        .and_then(|step| i64::try_from(step).ok())
}

/// Percent-encodes what goes into the `otpauth://` label and parameters.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn factor_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", Code::NameRequired));
    }
    if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(Error::invalid("name", Code::NameTooLong));
    }
    Ok(name.to_string())
}

/// Begins enrolling an authenticator app for the signed-in user. An enrolment not confirmed
/// yet is replaced.
pub async fn enrol_totp(
    db: &Db,
    principal: &Principal,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment> {
    let name = factor_name(name)?;
    let account = super::adding_one(db, principal).await?;
    let me = account.id;
    let secret: [u8; 20] = rand::random();
    let sealed = seal::seal(db, SEALED_AS, &secret).await?;
    let public_id = Uuid::new_v4();
    let txn = db.write_uncached().await?;
    second_factor::Entity::delete_many()
        .filter(second_factor::Column::UserId.eq(me))
        .filter(second_factor::Column::Confirmed.eq(false))
        .exec(&*txn)
        .await?;
    second_factor::ActiveModel {
        public_id: Set(public_id),
        user_id: Set(me),
        kind: Set(KIND.to_string()),
        name: Set(name),
        secret: Set(Some(sealed)),
        confirmed: Set(false),
        last_step: Set(None),
        created_at: Set(now),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    let base32 = totp_rs::Secret::from(secret.to_vec()).to_base32();
    let uri = format!(
        "otpauth://totp/{issuer}:{account}?secret={base32}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        issuer = encoded(ISSUER),
        account = encoded(&account.username),
    );
    Ok(Enrolment {
        factor: public_id,
        secret: base32,
        uri,
    })
}

/// Confirms an enrolment with a first code from the app. Answers the recovery codes when the
/// user had none (shown once), or none.
pub async fn confirm_totp(
    db: &Db,
    principal: &Principal,
    factor: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<Vec<String>>> {
    let me = principal.user_id().ok_or(Error::Unauthenticated)?;
    let found = second_factor::Entity::find()
        .filter(second_factor::Column::PublicId.eq(factor))
        .filter(second_factor::Column::UserId.eq(me))
        .filter(second_factor::Column::Kind.eq(KIND))
        .filter(second_factor::Column::Confirmed.eq(false))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let keys = throttle::Keys::second_factor(me);
    throttle::guarded(db, &keys, async {
        let sealed = found
            .secret
            .as_deref()
            .ok_or_else(|| Error::Internal("totp secret".into()))?;
        let step = step_of(
            &generator(seal::open(db, SEALED_AS, sealed).await?)?,
            code,
            now,
        )
        .ok_or(Error::Refused(Code::SecondFactorCodeInvalid))?;
        let txn = db.write_uncached().await?;
        second_factor::Entity::update_many()
            .col_expr(second_factor::Column::Confirmed, Expr::value(true))
            .col_expr(second_factor::Column::LastStep, Expr::value(step))
            .col_expr(second_factor::Column::LastUsedAt, Expr::value(now))
            .filter(second_factor::Column::Id.eq(found.id))
            .exec(&*txn)
            .await?;
        let codes = if recovery::left_in(&*txn, me).await? == 0 {
            Some(recovery::issue_in(&*txn, me, now).await?)
        } else {
            None
        };
        super::list::journal(
            db,
            &*txn,
            principal,
            me,
            crate::audit::Action::SecondFactorAdd,
            vec![crate::audit::Change::set("second_factor", &found.name)],
        )
        .await?;
        txn.commit().await?;
        Ok(codes)
    })
    .await
}

/// Checks a code from one of the user's apps at sign-in. A code is accepted once: the step is
/// remembered in the same statement that checks it was not used, so two sign-ins racing with
/// the same code cannot both pass. Throttled per user: the attempt is taken, the code checked
/// and the step (with the attempt given back) written in one transaction; a wrong code commits
/// the attempt alone.
pub async fn verify_totp(db: &Db, user_id: i32, code: &str, now: DateTime<Utc>) -> Result<()> {
    let keys = throttle::Keys::second_factor(user_id);
    // Which apps' codes this is (read and computed before the writer is taken; acted on only
    // once the attempt is).
    let apps = second_factor::Entity::find()
        .filter(second_factor::Column::UserId.eq(user_id))
        .filter(second_factor::Column::Kind.eq(KIND))
        .filter(second_factor::Column::Confirmed.eq(true))
        .all(db.conn())
        .await?;
    let mut matching = Vec::new();
    for app in apps {
        let Some(sealed) = app.secret.as_deref() else {
            continue;
        };
        if let Some(step) = step_of(
            &generator(seal::open(db, SEALED_AS, sealed).await?)?,
            code,
            now,
        ) {
            matching.push((app.id, step));
        }
    }
    let txn = db.write_uncached().await?;
    throttle::take_in(&txn, &keys).await?;
    let mut reused = false;
    for (id, step) in matching {
        let taken = second_factor::Entity::update_many()
            .col_expr(second_factor::Column::LastStep, Expr::value(step))
            .col_expr(second_factor::Column::LastUsedAt, Expr::value(now))
            .filter(second_factor::Column::Id.eq(id))
            .filter(
                sea_orm::Condition::any()
                    .add(second_factor::Column::LastStep.is_null())
                    .add(second_factor::Column::LastStep.lt(step)),
            )
            .exec(&*txn)
            .await?;
        if taken.rows_affected == 1 {
            throttle::succeeded_in(&txn, &keys).await?;
            return txn.commit().await;
        }
        reused = true;
    }
    txn.commit().await?;
    Err(Error::Refused(if reused {
        Code::SecondFactorCodeUsed
    } else {
        Code::SecondFactorCodeInvalid
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_accept_a_code_one_step_either_side_and_no_further() {
        let generator = generator(b"12345678901234567890".to_vec()).unwrap();
        let now = DateTime::from_timestamp(1_111_111_109, 0).unwrap();
        // RFC 6238's SHA-1 vector at 1111111109 s: 07081804 (eight digits; six: 081804).
        assert_eq!(step_of(&generator, "081804", now), Some(1_111_111_109 / 30));
        assert_eq!(
            step_of(&generator, "081 804", now),
            Some(1_111_111_109 / 30)
        );
        let code_at = |seconds: i64| {
            generator
                .generate(u64::try_from(seconds).unwrap())
                .to_string()
        };
        let t = now.timestamp();
        assert!(step_of(&generator, &code_at(t - 30), now).is_some());
        assert!(step_of(&generator, &code_at(t + 30), now).is_some());
        assert!(step_of(&generator, &code_at(t - 60), now).is_none());
        assert!(step_of(&generator, &code_at(t + 60), now).is_none());
        assert!(step_of(&generator, "12345", now).is_none());
        assert!(step_of(&generator, "abcdef", now).is_none());
    }

    #[test]
    fn should_encode_the_label() {
        assert_eq!(encoded("a b@c"), "a%20b%40c");
    }
}
