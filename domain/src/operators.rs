//! Operators: the vendor's staff. They belong to the vendor's own organisation (marked by its
//! flag, created with it on first use) and see and manage every organisation. Created from the
//! command line only.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::entities::{site, user};
use crate::error::{Error, Result};
use crate::users::{insert_unchecked, NewUserForm};
use crate::{roles, sites, Db};

pub use crate::sites::VENDOR_ORGANISATION;

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
    let vendor = vendor_organisation(db).await?;
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

/// The vendor's organisation, found by its flag; created (with the flag) when missing. Two
/// processes creating it at once: the unique index lets one win, the other takes its.
async fn vendor_organisation(db: &Db) -> Result<site::Model> {
    if let Some(found) = sites::vendor_root(db.conn()).await? {
        return Ok(found);
    }
    let txn = db.write().await?;
    let created = sites::insert_site(&*txn, None, VENDOR_ORGANISATION, VENDOR_SEATS).await?;
    let marked = site::Entity::update_many()
        .col_expr(site::Column::IsVendor, Expr::value(true))
        .filter(site::Column::Id.eq(created.id))
        .exec(&*txn)
        .await;
    match marked {
        Ok(_) => {
            txn.commit().await?;
            Ok(site::Model {
                is_vendor: true,
                ..created
            })
        }
        Err(err) => {
            drop(txn);
            match Error::from_db_unique(err, crate::Code::Internal) {
                Error::Conflict(_) => sites::vendor_root(db.conn())
                    .await?
                    .ok_or_else(|| Error::Internal("vendor organisation vanished".into())),
                other => Err(other),
            }
        }
    }
}
