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
pub(crate) use grants::usable_roles;
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
