//! Operators: the vendor's staff. They belong to the vendor's own organisation (created on
//! first use) and see and manage every organisation. Created from the command line only.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::entities::{site, user};
use crate::error::Result;
use crate::users::{insert_unchecked, NewUserForm};
use crate::{roles, sites, Db};

/// The vendor's organisation, home of the operators.
pub const VENDOR_ORGANISATION: &str = "Licentia";
/// Seats of the vendor organisation (operators take one each).
const VENDOR_SEATS: i32 = 1000;

/// Creates an operator account; returns the vendor organisation's name.
pub async fn create(db: &Db, form: NewUserForm) -> Result<String> {
    roles::ensure_builtin(db.conn()).await?;
    // Operators sign in with a password from the start.
    if form.password.is_empty() {
        return Err(crate::Error::invalid(
            "password",
            crate::Code::PasswordTooShort,
        ));
    }
    let new_user = form.validate().await?;
    let vendor = match site::Entity::find()
        .filter(site::Column::ParentId.is_null())
        .filter(site::Column::Name.eq(VENDOR_ORGANISATION))
        .one(db.conn())
        .await?
    {
        Some(found) => found,
        None => sites::insert_root(db, VENDOR_ORGANISATION, VENDOR_SEATS).await?,
    };
    let txn = db.write().await?;
    let created = insert_unchecked(&*txn, vendor.id, new_user).await?;
    user::Entity::update_many()
        .col_expr(user::Column::IsOperator, Expr::value(true))
        .filter(user::Column::Id.eq(created.id))
        .exec(&*txn)
        .await?;
    roles::grant_builtin_unchecked(&*txn, created.id, roles::ADMINISTRATOR, vendor.id).await?;
    txn.commit().await?;
    Ok(vendor.name)
}
