//! Reading groups: the groups of a site's subtree with their members and last run, and a
//! preview of who a rule selects now (before it is saved).
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::recompute::matching;
use super::schedule::{Schedule, JOB_KIND};
use crate::access::{self, Operation};
use crate::entities::user;
use crate::entities::{dynamic_group, group_member, job, product, role, site};
use crate::error::{Error, Result};
use crate::jobs;
use crate::properties::filter::{self, Condition};
use crate::{sites, Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub public_id: Uuid,
    pub name: String,
    pub site: Uuid,
    pub site_name: String,
    pub conditions: Vec<Condition>,
    pub active: bool,
    pub schedule: Schedule,
    /// Product key.
    pub grant_product: Option<String>,
    pub grant_role: Option<Uuid>,
    /// As the journal names roles: `@key` for built-in ones.
    pub grant_role_name: Option<String>,
    pub grant_site: Option<Uuid>,
    pub grant_site_name: Option<String>,
    pub members: u64,
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_joined: i32,
    pub last_left: i32,
    pub last_ungranted: i32,
    /// `code:key` when the last run changed nothing because of the rule.
    pub last_problem: Option<String>,
    /// A run is queued or under way.
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewMember {
    pub public_id: Uuid,
    pub username: String,
    pub name: String,
    pub site_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub count: usize,
    /// The first matches, by name.
    pub sample: Vec<PreviewMember>,
    /// Against the saved group's members (none for a new group).
    pub joining: usize,
    pub leaving: usize,
}

/// How many matches a preview shows.
const SAMPLE: u64 = 20;

/// The groups defined on `site` or below it.
pub async fn list(db: &Db, principal: &Principal, site: Uuid) -> Result<Vec<Group>> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ViewGroups, &resolved.scope)?;
    let groups = dynamic_group::Entity::find()
        .filter(dynamic_group::Column::SiteId.in_subquery(sites::subtree([resolved.site.id])))
        .order_by_asc(dynamic_group::Column::Name)
        .all(db.conn())
        .await?;
    describe(db, groups).await
}

/// One group.
pub async fn get(db: &Db, principal: &Principal, group: Uuid) -> Result<Group> {
    let found = dynamic_group::Entity::find()
        .filter(dynamic_group::Column::PublicId.eq(group))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let home = sites::resolve_by_id(db, found.site_id).await?;
    access::require(principal, Operation::ViewGroups, &home.scope)?;
    describe(db, vec![found])
        .await?
        .pop()
        .ok_or(Error::NotFound)
}

async fn describe(db: &Db, groups: Vec<dynamic_group::Model>) -> Result<Vec<Group>> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = groups.iter().map(|g| g.id).collect();
    let counts: Vec<(i32, i64)> = group_member::Entity::find()
        .select_only()
        .column(group_member::Column::GroupId)
        .column_as(Expr::col(group_member::Column::Id).count(), "members")
        .filter(group_member::Column::GroupId.is_in(ids.clone()))
        .group_by(group_member::Column::GroupId)
        .into_tuple()
        .all(db.conn())
        .await?;
    let site_ids: Vec<i32> = groups
        .iter()
        .flat_map(|g| [Some(g.site_id), g.grant_site_id])
        .flatten()
        .collect();
    let sites = site::Entity::find()
        .filter(site::Column::Id.is_in(site_ids))
        .all(db.conn())
        .await?;
    let products = product::Entity::find()
        .filter(product::Column::Id.is_in(groups.iter().filter_map(|g| g.grant_product_id)))
        .all(db.conn())
        .await?;
    let roles = role::Entity::find()
        .filter(role::Column::Id.is_in(groups.iter().filter_map(|g| g.grant_role_id)))
        .all(db.conn())
        .await?;
    let queued: Vec<String> = job::Entity::find()
        .select_only()
        .column(job::Column::Payload)
        .filter(job::Column::Kind.eq(JOB_KIND))
        .filter(job::Column::Status.eq(jobs::QUEUED))
        .into_tuple()
        .all(db.conn())
        .await?;
    let site_of = |id: i32| sites.iter().find(|s| s.id == id);
    Ok(groups
        .into_iter()
        .map(|g| {
            let role = g
                .grant_role_id
                .and_then(|id| roles.iter().find(|r| r.id == id));
            let payload =
                serde_json::to_string(&super::GroupJob { group: g.id }).unwrap_or_default();
            Group {
                public_id: g.public_id,
                site: site_of(g.site_id).map(|s| s.public_id).unwrap_or_default(),
                site_name: site_of(g.site_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                conditions: serde_json::from_str(&g.rule).unwrap_or_default(),
                active: g.active,
                schedule: Schedule::parse(&g.schedule).unwrap_or_default(),
                grant_product: g
                    .grant_product_id
                    .and_then(|id| products.iter().find(|p| p.id == id))
                    .map(|p| p.key.clone()),
                grant_role: role.map(|r| r.public_id),
                grant_role_name: role.map(super::grants::role_name),
                grant_site: g.grant_site_id.and_then(site_of).map(|s| s.public_id),
                grant_site_name: g.grant_site_id.and_then(site_of).map(|s| s.name.clone()),
                members: counts
                    .iter()
                    .find(|(id, _)| *id == g.id)
                    .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
                    .unwrap_or(0),
                next_run_at: g.next_run_at,
                last_run_at: g.last_run_at,
                last_joined: g.last_joined,
                last_left: g.last_left,
                last_ungranted: g.last_ungranted,
                last_problem: g.last_problem.clone(),
                running: queued.contains(&payload),
                name: g.name,
            }
        })
        .collect())
}

/// Who the rule would select now in `site`'s subtree, and (for a saved group) how many would
/// join and leave. The conditions are checked as saving checks them.
pub async fn preview(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    conditions: &[Condition],
    group: Option<Uuid>,
) -> Result<Preview> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ViewGroups, &resolved.scope)?;
    let root = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let definitions = crate::properties::of_organisation(db.conn(), root).await?;
    let checked = filter::check(conditions, &definitions)?;
    let ids: Vec<i32> = matching(resolved.site.id, &checked)
        .into_tuple::<i32>()
        .all(db.conn())
        .await?;
    let sample = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied().take(5000)))
        .find_also_related(site::Entity)
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .limit(SAMPLE)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|(u, s)| PreviewMember {
            public_id: u.public_id,
            name: format!("{} {}", u.first_name, u.last_name),
            username: u.username,
            site_name: s.map(|s| s.name).unwrap_or_default(),
        })
        .collect();
    let (mut joining, mut leaving) = (ids.len(), 0);
    if let Some(group) = group {
        let found = dynamic_group::Entity::find()
            .filter(dynamic_group::Column::PublicId.eq(group))
            .one(db.conn())
            .await?
            .ok_or(Error::NotFound)?;
        // The saved group is read only by those who may see it, and only against its own
        // site (a foreign group id is not found).
        let own_site = sites::resolve_by_id(db, found.site_id).await?;
        access::require(principal, Operation::ViewGroups, &own_site.scope)?;
        if found.site_id != resolved.site.id {
            return Err(Error::NotFound);
        }
        let members = group_member::Entity::find()
            .filter(group_member::Column::GroupId.eq(found.id))
            .count(db.conn())
            .await?;
        let staying = group_member::Entity::find()
            .filter(group_member::Column::GroupId.eq(found.id))
            .filter(
                group_member::Column::UserId.in_subquery(sea_orm::QueryTrait::into_query(
                    matching(resolved.site.id, &checked),
                )),
            )
            .count(db.conn())
            .await?;
        let members = usize::try_from(members).unwrap_or(0);
        let staying = usize::try_from(staying).unwrap_or(0);
        joining = ids.len().saturating_sub(staying);
        leaving = members.saturating_sub(staying);
    }
    Ok(Preview {
        count: ids.len(),
        sample,
        joining,
        leaving,
    })
}
