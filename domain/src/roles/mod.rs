//! Roles: named sets of permissions, granted to a user on a site (holding for its subtree).
//! Built-in roles exist everywhere; a custom role belongs to the site it was created on and can
//! be granted in that site's subtree. Every decision goes through `access`.
mod builtin;
mod grants;
mod manage;
mod members;
mod read;

pub use builtin::{
    builtin_permissions, ensure_builtin, grant_builtin_unchecked, ADMINISTRATOR, APPLICATION,
    LICENCE_MANAGER, USER,
};
pub(crate) use grants::{journal_name, usable_roles};
pub use grants::{set_user_grants, user_grants, GrantInfo, GrantOption, UserGrants};
pub use manage::{create, delete, update, RoleForm};
pub use members::{members, Member};
pub use read::{list, owner_sites, RoleInfo};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::access::Permissions;
use crate::entities::role;
use crate::error::{Error, Result};
use crate::Db;

pub(crate) async fn find(db: &Db, public_id: Uuid) -> Result<role::Model> {
    role::Entity::find()
        .filter(role::Column::PublicId.eq(public_id))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)
}

pub(crate) fn permissions_of(role: &role::Model) -> Permissions {
    Permissions::parse(&role.permissions)
}

/// Sort key: built-in roles first in their fixed order, then custom roles by name.
pub(crate) fn order(role: &role::Model) -> (usize, String) {
    let rank = match role.builtin_key.as_deref() {
        Some(ADMINISTRATOR) => 0,
        Some(LICENCE_MANAGER) => 1,
        Some(APPLICATION) => 2,
        Some(_) => 3,
        None => 4,
    };
    (rank, role.name.to_lowercase())
}

/// Every permission granted to anyone on one of `sites` (what holding those sites' subtrees
/// gives their administrators).
pub(crate) async fn granted_on(
    conn: &impl sea_orm::ConnectionTrait,
    sites: Vec<i32>,
) -> Result<Permissions> {
    use crate::entities::role_grant;
    use sea_orm::QuerySelect;
    if sites.is_empty() {
        return Ok(Permissions::default());
    }
    let stored: Vec<String> = role_grant::Entity::find()
        .select_only()
        .column(role::Column::Permissions)
        .inner_join(role::Entity)
        .filter(role_grant::Column::SiteId.is_in(sites))
        .distinct()
        .into_tuple::<String>()
        .all(conn)
        .await?;
    Ok(stored.iter().fold(Permissions::default(), |all, p| {
        all.union(Permissions::parse(p))
    }))
}
