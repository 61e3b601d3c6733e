//! What the overview page shows a signed-in user of their own licence: its state, until when,
//! the products it covers, and whether they may order licences for their organisation.
use chrono::NaiveDate;

use super::check::{evaluate, LicenceCheck};
use crate::access::{self, Operation};
use crate::error::{Error, Result};
use crate::products::Product;
use crate::{sites, users, Db, Principal};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[derive(Debug, Clone)]
pub struct MyLicence {
    pub check: LicenceCheck,
    /// The products the valid licence covers, by name.
    pub products: Vec<Product>,
    /// The user holds `licences.order` on their own site: they may send a purchase request.
    pub can_order: bool,
}

pub async fn mine(db: &Db, principal: &Principal, today: NaiveDate) -> Result<MyLicence> {
    let me = users::own_account(db, principal).await?;
    let check = evaluate(db, me.id, None, today).await?;
    // Only the covered products, by key (not the whole catalogue with its bundles).
    let covered = crate::entities::product::Entity::find()
        .filter(crate::entities::product::Column::Key.is_in(check.products.iter().cloned()))
        .order_by_asc(crate::entities::product::Column::Name)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|p| Product {
            public_id: p.public_id,
            key: p.key,
            name: p.name,
        })
        .collect();
    let site = sites::resolve_by_id(db, me.site_id).await?;
    let can_order = match access::require(principal, Operation::OrderLicences, &site.scope) {
        Ok(()) => true,
        Err(Error::Forbidden | Error::NotFound) => false,
        Err(other) => return Err(other),
    };
    Ok(MyLicence {
        check,
        products: covered,
        can_order,
    })
}
