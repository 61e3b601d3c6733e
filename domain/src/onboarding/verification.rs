//! Confirming an e-mail address with the mailed link.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::PENDING_VERIFY;
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::tokens::{self, Purpose};
use crate::Db;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub username: String,
    /// The site still has to approve the registration.
    pub awaiting_approval: bool,
}

/// Uses up a verification link: the address is verified and, when that was all the account
/// waited for, it can sign in.
pub async fn confirm_email(db: &Db, token: &str) -> Result<Confirmed> {
    let txn = db.write().await?;
    let user_id = tokens::consume(&*txn, token, &[Purpose::Verify]).await?;
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerified, Expr::value(true))
        .filter(user::Column::Id.eq(user_id))
        .exec(&*txn)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::Pending, Expr::value(Option::<String>::None))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::Pending.eq(PENDING_VERIFY))
        .exec(&*txn)
        .await?;
    let found = user::Entity::find_by_id(user_id)
        .one(&*txn)
        .await?
        .ok_or(Error::Refused(Code::LinkInvalid))?;
    txn.commit().await?;
    Ok(Confirmed {
        username: found.username,
        awaiting_approval: found.pending.is_some(),
    })
}
