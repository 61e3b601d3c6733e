use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::password;
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::{sites, validate, Db};

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: i32,
    pub locale: Option<String>,
}

/// Checks a username and password. Wrong username and wrong password give the same answer
/// in the same time; an inactive or expired account is told so (after the password matched).
pub async fn sign_in(db: &Db, username: &str, plain: &str) -> Result<SignedIn> {
    let username = validate::username(username).unwrap_or_default();
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
        return Err(Error::Refused(Code::InvalidCredentials));
    };
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
    })
}

/// Why this user may not use the system now, if they may not: deactivated, or past their own
/// expiry date or (without one) the nearest site expiry date up the tree.
pub async fn refusal(db: &Db, found: &user::Model) -> Result<Option<Code>> {
    if !found.active {
        return Ok(Some(Code::AccountInactive));
    }
    let today = Utc::now().date_naive();
    let expires = match found.expires_on {
        Some(date) => Some(date),
        None => sites::resolve_by_id(db, found.site_id)
            .await?
            .effective_expires_on(),
    };
    Ok(expires
        .filter(|date| *date < today)
        .map(|_| Code::AccountExpired))
}
