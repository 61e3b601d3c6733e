use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{password, throttle};
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::onboarding::PENDING_VERIFY;
use crate::{sites, validate, Db};

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: i32,
    pub locale: Option<String>,
    /// The user has to choose a new password before anything else.
    pub must_change_password: bool,
}

/// Checks a username and password. Wrong username and wrong password give the same answer
/// in the same time; an inactive, expired or pending account is told so (after the password
/// matched). Repeated failures per account and per client address are throttled.
pub async fn sign_in(
    db: &Db,
    username: &str,
    plain: &str,
    client_address: Option<&str>,
) -> Result<SignedIn> {
    let username = validate::username(username).unwrap_or_default();
    let keys = throttle::Keys::new(&username, client_address);
    let had_failures = throttle::check(db, &keys).await?;
    let found = if username.is_empty() {
        None
    } else {
        user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(db.conn())
            .await?
    };
    let stored = found.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify(stored, plain.to_string()).await?;
    let Some(found) = found.filter(|_| matches) else {
        throttle::failed(db, &keys).await?;
        return Err(Error::Refused(Code::InvalidCredentials));
    };
    if had_failures {
        throttle::succeeded(db, &keys).await?;
    }
    if let Some(code) = refusal(db, &found).await? {
        return Err(Error::Refused(code));
    }
    user::Entity::update_many()
        .col_expr(user::Column::LastSignInAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(found.id))
        .exec(db.conn())
        .await?;
    Ok(SignedIn {
        user_id: found.id,
        locale: found.locale,
        must_change_password: found.must_change_password,
    })
}

/// Why this user may not use the system now, if they may not: deactivated, or past their own
/// expiry date or (without one) the nearest site expiry date up the tree.
pub async fn refusal(db: &Db, found: &user::Model) -> Result<Option<Code>> {
    if !found.active {
        return Ok(Some(Code::AccountInactive));
    }
    match found.pending.as_deref() {
        Some(PENDING_VERIFY) => return Ok(Some(Code::EmailNotVerified)),
        Some(_) => return Ok(Some(Code::AwaitingApproval)),
        None => {}
    }
    let today = Utc::now().date_naive();
    let expires = sites::resolve_by_id(db, found.site_id)
        .await?
        .user_expires_on(found.expires_on);
    Ok(expires
        .filter(|date| *date < today)
        .map(|_| Code::AccountExpired))
}
