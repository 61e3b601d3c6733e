//! The roles a principal may see: the built-in ones and the custom roles of the sites in and
//! above their subtrees (those above can be granted inside them).
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::access::{self, Operation, Permissions, Readable};
use crate::entities::{role, role_grant, site, site_closure};
use crate::error::{Error, Result};
use crate::{sites, Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleInfo {
    pub id: Uuid,
    pub name: String,
    /// `administrator`, `licence_manager` or `user` for the built-in roles.
    pub builtin_key: Option<String>,
    pub permissions: Permissions,
    /// The owning site, named only when the principal may see it.
    pub owner_site: Option<(Uuid, String)>,
    /// Grants of this role on sites the principal may see.
    pub members: u64,
    pub can_edit: bool,
}

pub async fn list(db: &Db, principal: &Principal) -> Result<Vec<RoleInfo>> {
    let readable = access::readable(principal, Operation::ListRoles)?;
    if readable.is_empty() {
        return Err(Error::NotFound);
    }
    let roles = role::Entity::find()
        .filter(visible_roles(&readable))
        .all(db.conn())
        .await?;
    describe(db, principal, &readable, roles).await
}

/// Built-in roles, and custom roles owned in or above the readable subtrees.
pub(crate) fn visible_roles(readable: &Readable) -> Condition {
    match readable {
        Readable::All => Condition::all(),
        Readable::Subtrees(roots) => {
            let below = sites::subtree(roots.iter().copied());
            let above = Query::select()
                .column(site_closure::Column::AncestorId)
                .from(site_closure::Entity)
                .and_where(Expr::col(site_closure::Column::DescendantId).is_in(roots.clone()))
                .to_owned();
            Condition::any()
                .add(role::Column::SiteId.is_null())
                .add(role::Column::SiteId.in_subquery(below))
                .add(role::Column::SiteId.in_subquery(above))
        }
    }
}

/// Adds member counts, owners and edit rights to roles (a constant number of statements).
pub(crate) async fn describe(
    db: &Db,
    principal: &Principal,
    readable: &Readable,
    mut roles: Vec<role::Model>,
) -> Result<Vec<RoleInfo>> {
    roles.sort_by_key(super::order);
    let counts: Vec<(i32, i64)> = role_grant::Entity::find()
        .select_only()
        .column(role_grant::Column::RoleId)
        .column_as(Expr::col(role_grant::Column::Id).count(), "n")
        .filter(sites::in_readable(role_grant::Column::SiteId, readable))
        .group_by(role_grant::Column::RoleId)
        .into_tuple()
        .all(db.conn())
        .await?;
    let counts: HashMap<i32, i64> = counts.into_iter().collect();
    let owner_ids: Vec<i32> = roles.iter().filter_map(|r| r.site_id).collect();
    let scopes = sites::scopes_of(db.conn(), &owner_ids).await?;
    let owners: HashMap<i32, site::Model> = if owner_ids.is_empty() {
        HashMap::new()
    } else {
        site::Entity::find()
            .filter(site::Column::Id.is_in(owner_ids.clone()))
            .all(db.conn())
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    Ok(roles
        .into_iter()
        .map(|r| {
            let scope = r.site_id.and_then(|id| scopes.get(&id));
            let owner_site = match (r.site_id.and_then(|id| owners.get(&id)), scope) {
                (Some(owner), Some(scope))
                    if access::allows(principal, Operation::ViewSites, scope) =>
                {
                    Some((owner.public_id, owner.name.clone()))
                }
                _ => None,
            };
            RoleInfo {
                id: r.public_id,
                permissions: super::permissions_of(&r),
                members: counts
                    .get(&r.id)
                    .copied()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                can_edit: r.builtin_key.is_none()
                    && scope.is_some_and(|s| access::allows(principal, Operation::EditRole, s)),
                owner_site,
                name: r.name,
                builtin_key: r.builtin_key,
            }
        })
        .collect())
}

/// The sites on which the principal may create roles (where their role-managing grants are;
/// for operators, every organisation's root), for the owner choice in the role editor.
pub async fn owner_sites(db: &Db, principal: &Principal) -> Result<Vec<(Uuid, String)>> {
    let select = match access::readable(principal, Operation::CreateRole)? {
        Readable::All => site::Entity::find().filter(site::Column::ParentId.is_null()),
        Readable::Subtrees(roots) => site::Entity::find().filter(site::Column::Id.is_in(roots)),
    };
    let mut sites: Vec<(Uuid, String)> = select
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| (s.public_id, s.name))
        .collect();
    sites.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(sites)
}
