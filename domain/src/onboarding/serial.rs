//! Administrator sign-up with a serial number: the subscription is claimed once, in the same
//! transaction that creates the organisation's root site (with its seats) and its first
//! administrator, who confirms their address before signing in.
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::PENDING_VERIFY;
use crate::auth::password;
use crate::entities::subscription;
use crate::error::{Code, Error, Result};
use crate::mail::{self, Template};
use crate::tokens::{self, Purpose};
use crate::users::{insert_unchecked, NewUser};
use crate::{roles, sites, validate, Db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialInfo {
    pub serial: String,
    pub seats: i32,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

/// The sign-up form as typed.
#[derive(Debug, Clone, Default)]
pub struct SignUpForm {
    pub serial: String,
    pub organisation: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub password: String,
    pub privacy_accepted: bool,
    /// The page's language: the account's and the verification mail's.
    pub locale: String,
    /// The solved challenge (JSON) when the server asks for one (`LICENTIA_SIGNUP_CHALLENGE`);
    /// none: not asked.
    pub proof: Option<String>,
}

/// Whether a serial number can be claimed: known, not yet claimed, not expired.
pub async fn check_serial(db: &Db, raw: &str) -> Result<SerialInfo> {
    let serial = validate::serial(raw)?;
    let found = subscription::Entity::find()
        .filter(subscription::Column::Serial.eq(&serial))
        .one(db.conn())
        .await?
        .ok_or(Error::invalid("serial", Code::SerialUnknown))?;
    if found.site_id.is_some() {
        return Err(Error::invalid("serial", Code::SerialClaimed));
    }
    if found.valid_until < wire::time::today() {
        return Err(Error::invalid("serial", Code::SubscriptionExpired));
    }
    Ok(SerialInfo {
        serial,
        seats: found.seats,
        valid_from: found.valid_from,
        valid_until: found.valid_until,
    })
}

/// Creates the organisation and its administrator (pending address verification) and mails
/// the verification link. Nothing is written when anything is refused.
pub async fn sign_up(db: &Db, form: SignUpForm) -> Result<()> {
    let info = check_serial(db, &form.serial).await?;
    let organisation = validate::site_name(&form.organisation)
        .map_err(|e| Error::invalid("organisation", e.code()))?;
    sites::check_root_name(db.conn(), "organisation", &organisation, None).await?;
    let first_name =
        validate::person_name("first_name", &form.first_name, Code::FirstNameRequired)?;
    let last_name = validate::person_name("last_name", &form.last_name, Code::LastNameRequired)?;
    let email = validate::email(&form.email)?;
    let username = validate::username(&form.username)?;
    let plain = validate::new_password(&form.password, &username)?;
    if !form.privacy_accepted {
        return Err(Error::invalid("privacy", Code::PrivacyNotAccepted));
    }
    let locale = validate::language(&form.locale).unwrap_or_else(|_| "nl".into());
    if let Some(proof) = &form.proof {
        crate::challenge::verify(db, proof, Utc::now()).await?;
    }
    let password_hash = password::hash(plain).await?;
    roles::ensure_builtin(db.conn()).await?;

    let txn = db.write().await?;
    let root = sites::insert_site(&*txn, None, &organisation, info.seats).await?;
    let claimed = subscription::Entity::update_many()
        .col_expr(subscription::Column::SiteId, Expr::value(root.id))
        .col_expr(subscription::Column::ClaimedAt, Expr::value(Utc::now()))
        .filter(subscription::Column::Serial.eq(&info.serial))
        .filter(subscription::Column::SiteId.is_null())
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(Error::invalid("serial", Code::SerialClaimed));
    }
    let admin = insert_unchecked(
        &*txn,
        root.id,
        NewUser {
            username,
            first_name,
            last_name,
            email: Some(email.clone()),
            password_hash: Some(password_hash),
            must_change_password: false,
            pending: Some(PENDING_VERIFY),
            locale: Some(locale.clone()),
        },
    )
    .await?;
    roles::grant_builtin_unchecked(&*txn, admin.id, roles::ADMINISTRATOR, root.id).await?;
    let token = tokens::issue(&*txn, admin.id, Purpose::Verify).await?;
    mail::queue(
        &*txn,
        &email,
        Some(&locale),
        Template::VerifyEmail {
            name: format!("{} {}", admin.first_name, admin.last_name),
            token,
        },
    )
    .await?;
    txn.commit().await
}
