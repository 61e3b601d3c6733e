//! Reading the tree and a site's details.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::{self, Operation, Readable, SiteScope};
use crate::entities::{site, site_closure};
use crate::error::{Error, Result};
use crate::{Db, Principal};

/// One node of the structure tree, as the administrator page shows it (`used/max`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteNode {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub seat_limit: i32,
    pub used_seats: i32,
    /// Archived by a rollover (kept for its history, without seats).
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteDetails {
    pub node: SiteNode,
    /// Where a new parent for this site is searched: the highest site above it (or itself) the
    /// principal may see (moves stay in the organisation).
    pub move_within: Uuid,
    pub own_users: i32,
    pub subsites: u64,
    pub registration_code: Option<String>,
    pub registration_flow: wire::RegistrationFlow,
    pub allowed_domains: Vec<String>,
    pub institution_number: Option<String>,
    pub expires_on: Option<NaiveDate>,
    /// The date that applies: the earliest of its own and its ancestors'.
    pub effective_expires_on: Option<NaiveDate>,
    pub is_root: bool,
    pub can_manage: bool,
    pub can_edit_seat_limit: bool,
    pub can_delete: bool,
    pub can_move: bool,
    pub can_manage_users: bool,
    pub can_assign_roles: bool,
    pub can_view_licences: bool,
    pub can_assign_licences: bool,
    /// A root site whose subscriptions the principal sees and adds to.
    pub can_claim_subscription: bool,
    /// A root site whose second-factor policy the principal sets.
    pub can_manage_sign_in: bool,
}

/// A site with its ancestors (itself first), for access decisions and inherited dates.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub site: site::Model,
    pub ancestors: Vec<site::Model>,
    pub scope: SiteScope,
}

impl Resolved {
    /// The date that applies: the earliest of its own and its ancestors' (a date imposed from
    /// above binds everything below; a later date below it changes nothing).
    pub fn effective_expires_on(&self) -> Option<NaiveDate> {
        self.ancestors.iter().filter_map(|s| s.expires_on).min()
    }

    /// A user's last day here: the earlier of their own date and the site's.
    pub fn user_expires_on(&self, own: Option<NaiveDate>) -> Option<NaiveDate> {
        own.into_iter().chain(self.effective_expires_on()).min()
    }
}

/// Finds a site by public id with its ancestry. Unknown ids are `NotFound`; callers still
/// have to ask `access` (which also answers `NotFound` for sites the principal cannot see).
pub async fn resolve(db: &Db, public_id: Uuid) -> Result<Resolved> {
    db.kept(|m| &m.sites, public_id, || resolve_unkept(db, public_id))
        .await
}

/// The site and its ancestors in one statement: the sites above the one with this public id
/// (itself included, at depth 0 of the closure).
async fn resolve_unkept(db: &Db, public_id: Uuid) -> Result<Resolved> {
    let ancestor_ids = Query::select()
        .column((site_closure::Entity, site_closure::Column::AncestorId))
        .from(site_closure::Entity)
        .inner_join(
            site::Entity,
            Expr::col((site::Entity, site::Column::Id))
                .equals((site_closure::Entity, site_closure::Column::DescendantId)),
        )
        .and_where(Expr::col((site::Entity, site::Column::PublicId)).eq(public_id))
        .to_owned();
    let ancestors = site::Entity::find()
        .filter(site::Column::Id.in_subquery(ancestor_ids))
        .all(db.conn())
        .await?;
    let site_id = ancestors
        .iter()
        .find(|s| s.public_id == public_id)
        .map(|s| s.id)
        .ok_or(Error::NotFound)?;
    chained(ancestors, site_id)
}

/// A site's public id.
pub async fn public_id_of(db: &Db, site_id: i32) -> Result<Uuid> {
    Ok(site::Entity::find_by_id(site_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?
        .public_id)
}

/// The date that applies to a site (the earliest of its own and its ancestors'), in one
/// statement.
pub(crate) async fn effective_expiry(db: &Db, site_id: i32) -> Result<Option<NaiveDate>> {
    let ancestor_ids = Query::select()
        .column(site_closure::Column::AncestorId)
        .from(site_closure::Entity)
        .and_where(Expr::col(site_closure::Column::DescendantId).eq(site_id))
        .to_owned();
    let earliest: Option<Option<NaiveDate>> = site::Entity::find()
        .select_only()
        .column_as(Expr::col(site::Column::ExpiresOn).min(), "earliest")
        .filter(site::Column::Id.in_subquery(ancestor_ids))
        .into_tuple()
        .one(db.conn())
        .await?;
    Ok(earliest.flatten())
}

/// Finds a site by its row id with its ancestry (through the request's memo, see [`resolve`]).
pub(crate) async fn resolve_by_id(db: &Db, site_id: i32) -> Result<Resolved> {
    let Some(memo) = db.read_memo() else {
        return resolve_by_id_unkept(db, site_id).await;
    };
    let mut kept = memo.sites.lock().await;
    if let Some(found) = kept.values().find(|r| r.site.id == site_id) {
        return Ok(found.clone());
    }
    let resolved = resolve_by_id_unkept(db, site_id).await?;
    kept.insert(resolved.site.public_id, resolved.clone());
    Ok(resolved)
}

async fn resolve_by_id_unkept(db: &Db, site_id: i32) -> Result<Resolved> {
    let ancestor_ids = Query::select()
        .column(site_closure::Column::AncestorId)
        .from(site_closure::Entity)
        .and_where(Expr::col(site_closure::Column::DescendantId).eq(site_id))
        .to_owned();
    let ancestors = site::Entity::find()
        .filter(site::Column::Id.in_subquery(ancestor_ids))
        .all(db.conn())
        .await?;
    chained(ancestors, site_id)
}

/// The site `site_id` and its ancestors (in any order) as a resolved site: ordered self → root
/// by following parent links (the closure depth is implicit in them).
fn chained(mut ancestors: Vec<site::Model>, site_id: i32) -> Result<Resolved> {
    let by_id: HashMap<i32, site::Model> = ancestors.drain(..).map(|s| (s.id, s)).collect();
    let mut chain = Vec::with_capacity(by_id.len());
    let mut next = Some(site_id);
    while let Some(id) = next {
        let Some(found) = by_id.get(&id) else { break };
        next = found.parent_id;
        chain.push(found.clone());
    }
    let site = chain.first().cloned().ok_or(Error::NotFound)?;
    let scope = SiteScope {
        ancestry: chain.iter().map(|s| s.id).collect(),
    };
    Ok(Resolved {
        site,
        ancestors: chain,
        scope,
    })
}

/// Every site the principal may view, in one query whatever the size of the tree.
pub async fn tree(db: &Db, principal: &Principal) -> Result<Vec<SiteNode>> {
    let readable = access::readable(principal, Operation::ViewSites)?;
    if readable.is_empty() {
        return Ok(Vec::new());
    }
    let sites = site::Entity::find()
        .filter(in_readable(site::Column::Id, &readable))
        .order_by_asc(site::Column::Name)
        .order_by_asc(site::Column::Id)
        .all(db.conn())
        .await?;
    let public: HashMap<i32, Uuid> = sites.iter().map(|s| (s.id, s.public_id)).collect();
    Ok(sites
        .into_iter()
        .map(|s| SiteNode {
            id: s.public_id,
            parent_id: s.parent_id.and_then(|p| public.get(&p).copied()),
            name: s.name,
            seat_limit: s.seat_limit,
            used_seats: s.used_seats,
            archived: s.archived_on.is_some(),
        })
        .collect())
}

/// The site a request names, or the principal's home site ([`home_site`]) when it names none.
pub async fn site_or_home(db: &Db, principal: &Principal, site: Option<Uuid>) -> Result<Uuid> {
    match site {
        Some(site) => Ok(site),
        None => home_site(db, principal).await,
    }
}

/// The site the administrator page opens on: the first site the principal may view.
pub async fn home_site(db: &Db, principal: &Principal) -> Result<Uuid> {
    match principal.user_id() {
        Some(user) => {
            db.kept(|m| &m.homes, user, || home_site_unkept(db, principal))
                .await
        }
        None => home_site_unkept(db, principal).await,
    }
}

async fn home_site_unkept(db: &Db, principal: &Principal) -> Result<Uuid> {
    let first = match access::readable(principal, Operation::ViewSites)? {
        Readable::All => {
            let first = super::outline::first_roots(db).await?.into_iter().next();
            if let Some(root) = &first {
                // An organisation is its own ancestry: the page resolves it next, without
                // another read.
                let resolved = chained(vec![root.clone()], root.id)?;
                db.kept(|m| &m.sites, root.public_id, || async { Ok(resolved) })
                    .await?;
            }
            first
        }
        // Resolved (with its ancestry, kept for the request): the page resolves it next.
        Readable::Subtrees(roots) => match roots.first() {
            Some(id) => Some(resolve_by_id(db, *id).await?.site),
            None => None,
        },
    };
    first.map(|s| s.public_id).ok_or(Error::NotFound)
}

pub async fn details(db: &Db, principal: &Principal, public_id: Uuid) -> Result<SiteDetails> {
    let resolved = resolve(db, public_id).await?;
    access::require(principal, Operation::ViewSites, &resolved.scope)?;
    let subsites = site::Entity::find()
        .filter(site::Column::ParentId.eq(resolved.site.id))
        .count(db.conn())
        .await?;
    Ok(describe(principal, &resolved, subsites))
}

/// How many sites of `ancestry` (a site and the sites above it, the site first) lie in the
/// reach: from the site up to the highest one the reader may see (none: 0).
pub(crate) fn reach_top(readable: &Readable, ancestry: &[i32]) -> usize {
    match readable {
        Readable::All => ancestry.len(),
        Readable::Subtrees(reach) => ancestry
            .iter()
            .rposition(|id| reach.contains(id))
            .map_or(0, |at| at + 1),
    }
}

pub(crate) fn describe(principal: &Principal, resolved: &Resolved, subsites: u64) -> SiteDetails {
    let site = &resolved.site;
    let parent_scope = resolved.scope.parent();
    let manages_parent = parent_scope
        .as_ref()
        .is_some_and(|scope| access::allows(principal, Operation::ResizeSite, scope));
    // The parent is named only to those who may see it (a subsite administrator may not).
    let parent_id = match (resolved.ancestors.get(1), &parent_scope) {
        (Some(parent), Some(scope)) if access::allows(principal, Operation::ViewSites, scope) => {
            Some(parent.public_id)
        }
        _ => None,
    };
    let move_within = access::readable(principal, Operation::ViewSites)
        .ok()
        .map(|readable| reach_top(&readable, &resolved.scope.ancestry))
        .and_then(|top| top.checked_sub(1))
        .and_then(|at| resolved.ancestors.get(at))
        .map_or(site.public_id, |s| s.public_id);
    SiteDetails {
        move_within,
        node: SiteNode {
            id: site.public_id,
            parent_id,
            name: site.name.clone(),
            seat_limit: site.seat_limit,
            used_seats: site.used_seats,
            archived: site.archived_on.is_some(),
        },
        own_users: site.own_users,
        subsites,
        registration_code: site.registration_code.clone(),
        registration_flow: wire::RegistrationFlow::parse(&site.registration_flow)
            .unwrap_or_default(),
        allowed_domains: site
            .allowed_domains
            .as_deref()
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect(),
        institution_number: site.institution_number.clone(),
        expires_on: site.expires_on,
        effective_expires_on: resolved.effective_expires_on(),
        is_root: site.parent_id.is_none(),
        can_manage: access::allows(principal, Operation::EditSite, &resolved.scope),
        can_edit_seat_limit: manages_parent,
        can_delete: manages_parent,
        can_move: manages_parent,
        can_manage_users: access::allows(principal, Operation::CreateUser, &resolved.scope),
        // The grant dialog shows the current grants first: it needs both.
        can_assign_roles: access::allows(principal, Operation::SetUserGrants, &resolved.scope)
            && access::allows(principal, Operation::ViewUserGrants, &resolved.scope),
        can_view_licences: access::allows(principal, Operation::ViewLicences, &resolved.scope),
        can_assign_licences: access::allows(principal, Operation::AssignLicence, &resolved.scope),
        can_claim_subscription: site.parent_id.is_none()
            && access::allows(principal, Operation::ClaimSubscription, &resolved.scope),
        can_manage_sign_in: site.parent_id.is_none()
            && access::allows(principal, Operation::ManageSignInPolicy, &resolved.scope),
    }
}

/// Sites whose stored counters differ from a recount (empty when the arithmetic holds).
/// Used by the tests and by `licentia check`.
pub async fn seat_counter_mismatches(db: &Db) -> Result<Vec<String>> {
    use crate::entities::user;
    let sites = site::Entity::find().all(db.conn()).await?;
    let users = user::Entity::find().all(db.conn()).await?;
    let mut own: HashMap<i32, i32> = HashMap::new();
    for u in &users {
        *own.entry(u.site_id).or_default() += 1;
    }
    let mut reserved: HashMap<i32, i32> = HashMap::new();
    for s in &sites {
        if let Some(parent) = s.parent_id {
            *reserved.entry(parent).or_default() += s.seat_limit;
        }
    }
    let mut problems = Vec::new();
    for s in &sites {
        let own_users = own.get(&s.id).copied().unwrap_or(0);
        let used = own_users + reserved.get(&s.id).copied().unwrap_or(0);
        if s.own_users != own_users || s.used_seats != used || used > s.seat_limit {
            problems.push(format!(
                "{}: stored {}/{} own {}, counted {} own {}",
                s.name, s.used_seats, s.seat_limit, s.own_users, used, own_users
            ));
        }
    }
    Ok(problems)
}

/// The scopes (ancestries) of several sites in one query, for deciding about many rows.
pub async fn scopes_of(
    conn: &impl sea_orm::ConnectionTrait,
    site_ids: &[i32],
) -> Result<HashMap<i32, SiteScope>> {
    let mut scopes: HashMap<i32, SiteScope> = HashMap::new();
    for chunk in site_ids.chunks(500) {
        let rows = site_closure::Entity::find()
            .filter(site_closure::Column::DescendantId.is_in(chunk.iter().copied()))
            .order_by_asc(site_closure::Column::DescendantId)
            .order_by_asc(site_closure::Column::Depth)
            .all(conn)
            .await?;
        for row in rows {
            scopes
                .entry(row.descendant_id)
                .or_insert_with(|| SiteScope {
                    ancestry: Vec::new(),
                })
                .ancestry
                .push(row.ancestor_id);
        }
    }
    Ok(scopes)
}

/// The site `top` and every site below it as a tree in order, names sorted among siblings:
/// (public id, name, depth below `top`). For pickers; no access check (the caller's).
pub(crate) async fn indented_subtree(db: &Db, top: i32) -> Result<Vec<(Uuid, String, usize)>> {
    let below = site::Entity::find()
        .filter(site::Column::Id.in_subquery(subtree([top])))
        .order_by_asc(site::Column::Name)
        .all(db.conn())
        .await?;
    let mut ordered = Vec::with_capacity(below.len());
    let mut stack = vec![(top, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        if let Some(s) = below.iter().find(|s| s.id == id) {
            ordered.push((s.public_id, s.name.clone(), depth));
        }
        stack.extend(
            below
                .iter()
                .rev()
                .filter(|s| s.parent_id == Some(id))
                .map(|s| (s.id, depth + 1)),
        );
    }
    Ok(ordered)
}

/// The root site of `site`'s organisation, for a principal who sees `site` and may do
/// `operation` on the root (the organisation's own settings; a stranger is told the site does
/// not exist).
pub(crate) async fn organisation_root(
    db: &Db,
    principal: &crate::Principal,
    site: Uuid,
    operation: crate::access::Operation,
) -> Result<Resolved> {
    let resolved = resolve(db, site).await?;
    crate::access::require(
        principal,
        crate::access::Operation::ViewSites,
        &resolved.scope,
    )?;
    let root_id = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let root = resolve_by_id(db, root_id).await?;
    crate::access::require(principal, operation, &root.scope)?;
    Ok(root)
}

/// The ids of the sites in the subtrees of `roots` (the roots included), as a subquery.
pub fn subtree(roots: impl IntoIterator<Item = i32>) -> SelectStatement {
    Query::select()
        .column(site_closure::Column::DescendantId)
        .from(site_closure::Entity)
        .and_where(Expr::col(site_closure::Column::AncestorId).is_in(roots))
        .to_owned()
}

/// A condition "`column` is a site in one of these subtrees" (nothing for `Readable::All`).
pub fn in_readable<C: ColumnTrait>(column: C, readable: &Readable) -> sea_orm::Condition {
    match readable {
        Readable::All => sea_orm::Condition::all(),
        Readable::Subtrees(roots) => {
            sea_orm::Condition::all().add(column.in_subquery(subtree(roots.iter().copied())))
        }
    }
}
