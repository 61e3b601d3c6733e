//! The groups page of a site: its groups, and what the editor offers: the organisation's properties, the products its
//! subscriptions cover, the roles that can be granted, and the sites of the subtree.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{bundle_product, product, subscription};
use crate::error::{Error, Result};
use crate::properties::Definition;
use crate::{sites, Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub site: Uuid,
    pub site_name: String,
    pub definitions: Vec<Definition>,
    /// (key, name) of the products the organisation's subscriptions cover.
    pub products: Vec<(String, String)>,
    /// (id, name, built-in key) of the roles that can be granted on the site.
    pub roles: Vec<(Uuid, String, Option<String>)>,
    /// (id, name, depth below the site) of the site and its subsites, as a tree in order.
    pub sites: Vec<(Uuid, String, usize)>,
    pub can_manage: bool,
    pub can_grant_licences: bool,
    /// The groups of the site and its subsites.
    pub groups: Vec<super::Group>,
}

pub async fn choices(db: &Db, principal: &Principal, site: Uuid) -> Result<Choices> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ViewGroups, &resolved.scope)?;
    let root = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let definitions = crate::properties::of_organisation(db.conn(), root)
        .await?
        .iter()
        .map(Definition::of)
        .collect();
    let held = subscription::Entity::find()
        .filter(subscription::Column::SiteId.eq(root))
        .all(db.conn())
        .await?;
    let every_product = held.iter().any(|s| s.bundle_id.is_none());
    let bundles: Vec<i32> = held.iter().filter_map(|s| s.bundle_id).collect();
    let mut select = product::Entity::find().order_by_asc(product::Column::Name);
    if !every_product {
        let ids: Vec<i32> = bundle_product::Entity::find()
            .filter(bundle_product::Column::BundleId.is_in(bundles))
            .all(db.conn())
            .await?
            .into_iter()
            .map(|b| b.product_id)
            .collect();
        select = select.filter(product::Column::Id.is_in(ids));
    }
    let products = select
        .all(db.conn())
        .await?
        .into_iter()
        .map(|p| (p.key, p.name))
        .collect();
    let roles = crate::roles::usable_roles(db, &resolved.scope)
        .await?
        .into_iter()
        .map(|r| (r.public_id, r.name, r.builtin_key))
        .collect();
    let ordered = sites::indented_subtree(db, resolved.site.id).await?;
    Ok(Choices {
        site: resolved.site.public_id,
        site_name: resolved.site.name.clone(),
        definitions,
        products,
        roles,
        sites: ordered,
        can_manage: access::allows(principal, Operation::ManageGroups, &resolved.scope),
        can_grant_licences: access::allows(principal, Operation::AssignLicence, &resolved.scope),
        groups: super::list(db, principal, site).await?,
    })
}
