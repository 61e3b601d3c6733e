//! Moving a subsite (with its subtree and users) under another parent in the same
//! organisation. Its seat limit is taken from the new parent and given back to the old one.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::lock::{lock_site, release_seats, take_seats};
use super::read::{
    describe, in_readable, resolve, resolve_by_id, subtree, Resolved, SiteDetails, SiteNode,
};
use crate::access::{self, Operation, SiteScope};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{site, site_closure};
use crate::error::{Code, Error, Result};
use crate::{Db, Principal};

/// Rows per INSERT when rebuilding the closure (well under SQLite's variable limit).
const CLOSURE_CHUNK: usize = 1000;

pub async fn move_site(
    db: &Db,
    principal: &Principal,
    site_id: Uuid,
    new_parent: Uuid,
) -> Result<SiteDetails> {
    let (moving, old_parent) = movable(db, principal, site_id).await?;
    let target = resolve(db, new_parent).await?;
    access::require(principal, Operation::MoveSite, &target.scope)?;
    if target.scope.within(moving.site.id) {
        return Err(Error::Refused(Code::MoveIntoOwnSubtree));
    }
    if old_parent.site_id() == Some(target.site.id) {
        return Err(Error::Refused(Code::MoveToSameParent));
    }
    if target.scope.root_id() != moving.scope.root_id() {
        return Err(Error::Refused(Code::MoveAcrossOrganisations));
    }
    // Whoever holds a grant above the new parent (and not above the old one) gains it over the
    // moved subtree: the mover must hold all of it there, and no one may join a group giving
    // what the mover could not give.
    let gained = crate::roles::granted_on(
        db.conn(),
        target
            .scope
            .ancestry
            .iter()
            .copied()
            .filter(|id| !old_parent.within(*id))
            .collect(),
    )
    .await?;
    access::require_held(principal, &target.scope, gained)?;
    crate::groups::guard::check_site_move(db.conn(), principal, &moving.scope, &target.scope)
        .await?;

    let txn = db.write().await?;
    let current = lock_site(&*txn, moving.site.id).await?;
    let old_parent_id = current
        .parent_id
        .ok_or(Error::Refused(Code::RootSiteNotMovable))?;
    if !take_seats(&*txn, target.site.id, current.seat_limit, 0).await? {
        return Err(Error::Refused(Code::NotEnoughSeatsInParent));
    }
    release_seats(&*txn, old_parent_id, current.seat_limit, 0).await?;
    site::Entity::update_many()
        .col_expr(site::Column::ParentId, Expr::value(target.site.id))
        .filter(site::Column::Id.eq(current.id))
        .exec(&*txn)
        .await?;

    // The closure: the subtree keeps its inner rows; its links to the old ancestors go and
    // links to the new ancestors (target first) come.
    let subtree = site_closure::Entity::find()
        .filter(site_closure::Column::AncestorId.eq(current.id))
        .all(&*txn)
        .await?;
    let inside: Vec<i32> = subtree.iter().map(|row| row.descendant_id).collect();
    for chunk in inside.chunks(CLOSURE_CHUNK) {
        site_closure::Entity::delete_many()
            .filter(site_closure::Column::DescendantId.is_in(chunk.iter().copied()))
            .filter(site_closure::Column::AncestorId.is_in(old_parent.ancestry.clone()))
            .exec(&*txn)
            .await?;
    }
    let mut rows = Vec::with_capacity(subtree.len() * target.scope.ancestry.len());
    for (distance, ancestor) in target.scope.ancestry.iter().enumerate() {
        let distance = i32::try_from(distance).unwrap_or(i32::MAX);
        for below in &subtree {
            rows.push(site_closure::ActiveModel {
                ancestor_id: sea_orm::Set(*ancestor),
                descendant_id: sea_orm::Set(below.descendant_id),
                depth: sea_orm::Set(distance.saturating_add(1).saturating_add(below.depth)),
            });
        }
    }
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(CLOSURE_CHUNK));
        site_closure::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .exec(&*txn)
            .await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SiteMove,
            target: current.name.clone().into(),
            site: &current,
            changes: vec![Change::sites(
                "parent",
                moving.ancestors.get(1),
                &target.site,
            )],
        },
    )
    .await?;
    txn.commit().await?;

    let resolved = resolve_by_id(db, current.id).await?;
    let subsites = site::Entity::find()
        .filter(site::Column::ParentId.eq(current.id))
        .count(db.conn())
        .await?;
    Ok(describe(principal, &resolved, subsites))
}

/// A subsite the principal may move (they see it and manage its parent), with its parent's
/// scope. A site they cannot see is not found; their own site (the parent's seats) forbidden.
async fn movable(db: &Db, principal: &Principal, site_id: Uuid) -> Result<(Resolved, SiteScope)> {
    let moving = resolve(db, site_id).await?;
    access::require(principal, Operation::ViewSites, &moving.scope)?;
    let old_parent = moving
        .scope
        .parent()
        .ok_or(Error::Refused(Code::RootSiteNotMovable))?;
    access::require(principal, Operation::MoveSite, &old_parent).map_err(|_| Error::Forbidden)?;
    Ok((moving, old_parent))
}

/// Where a subsite may be moved: sites of the same organisation the principal manages,
/// outside the subsite's own subtree, other than its current parent.
pub async fn move_options(db: &Db, principal: &Principal, site_id: Uuid) -> Result<Vec<SiteNode>> {
    let (moving, old_parent) = movable(db, principal, site_id).await?;
    let readable = access::readable(principal, Operation::MoveSite)?;
    let root = moving.scope.root_id().unwrap_or_default();
    let candidates = site::Entity::find()
        .filter(in_readable(site::Column::Id, &readable))
        .filter(site::Column::Id.in_subquery(subtree([root])))
        .filter(site::Column::Id.not_in_subquery(subtree([moving.site.id])))
        .filter(site::Column::Id.ne(old_parent.site_id().unwrap_or_default()))
        .order_by_asc(site::Column::Name)
        .all(db.conn())
        .await?;
    Ok(candidates
        .into_iter()
        .map(|s| SiteNode {
            id: s.public_id,
            parent_id: None,
            name: s.name,
            seat_limit: s.seat_limit,
            used_seats: s.used_seats,
            archived: s.archived_on.is_some(),
        })
        .collect())
}
