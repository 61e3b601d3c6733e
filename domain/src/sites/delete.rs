//! Deleting an empty subsite.
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::lock::{lock_site, release_seats};
use super::read::resolve;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{role_grant, site, site_closure};
use crate::error::{Code, Error, Result};
use crate::{Db, Principal};

/// Deletes a subsite that has no users and no subsites, giving its seats back to the parent.
pub async fn delete(db: &Db, principal: &Principal, public_id: Uuid) -> Result<()> {
    let resolved = resolve(db, public_id).await?;
    access::require(principal, Operation::ViewSites, &resolved.scope)?;
    let parent = resolved
        .scope
        .parent()
        .ok_or(Error::Refused(Code::RootSiteNotDeletable))?;
    access::require(principal, Operation::DeleteSite, &parent).map_err(|_| Error::Forbidden)?;

    let txn = db.write().await?;
    let current = lock_site(&*txn, resolved.site.id).await?;
    if current.own_users > 0 {
        return Err(Error::Refused(Code::SiteHasUsers));
    }
    let children = site::Entity::find()
        .filter(site::Column::ParentId.eq(current.id))
        .count(&*txn)
        .await?;
    if children > 0 {
        return Err(Error::Refused(Code::SiteHasSubsites));
    }
    role_grant::Entity::delete_many()
        .filter(role_grant::Column::SiteId.eq(current.id))
        .exec(&*txn)
        .await?;
    site_closure::Entity::delete_many()
        .filter(site_closure::Column::DescendantId.eq(current.id))
        .exec(&*txn)
        .await?;
    site::Entity::delete_by_id(current.id).exec(&*txn).await?;
    let parent_id = current
        .parent_id
        .ok_or(Error::Refused(Code::RootSiteNotDeletable))?;
    release_seats(&*txn, parent_id, current.seat_limit, 0).await?;
    let parent_site = resolved
        .ancestors
        .get(1)
        .ok_or(Error::Refused(Code::RootSiteNotDeletable))?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SiteDelete,
            target: current.name.clone().into(),
            site: parent_site,
            changes: vec![Change::new("name", &current.name, "")],
        },
    )
    .await?;
    txn.commit().await
}
