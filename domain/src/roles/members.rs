//! Who holds a role, on which site: only grants on sites the principal may see.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::read::visible_roles;
use crate::access::{self, Operation};
use crate::entities::{role, role_grant, site, user};
use crate::error::{Error, Result};
use crate::{sites, Db, Principal};

/// The most members one call returns.
pub const MEMBERS_LIMIT: u64 = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub site_id: Uuid,
    pub site_name: String,
}

pub async fn members(db: &Db, principal: &Principal, role_id: Uuid) -> Result<Vec<Member>> {
    let readable = access::readable(principal, Operation::ListRoleMembers)?;
    if readable.is_empty() {
        return Err(Error::NotFound);
    }
    // A role the principal cannot see is not found, whatever its id.
    let found = role::Entity::find()
        .filter(role::Column::PublicId.eq(role_id))
        .filter(visible_roles(&readable))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let rows: Vec<(Uuid, String, String, String, Uuid, String)> = role_grant::Entity::find()
        .select_only()
        .column(user::Column::PublicId)
        .column(user::Column::Username)
        .column(user::Column::FirstName)
        .column(user::Column::LastName)
        .column_as(site::Column::PublicId, "site_public_id")
        .column_as(site::Column::Name, "site_name")
        .inner_join(user::Entity)
        .inner_join(site::Entity)
        .filter(role_grant::Column::RoleId.eq(found.id))
        .filter(sites::in_readable(role_grant::Column::SiteId, &readable))
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .order_by_asc(site::Column::Name)
        .limit(MEMBERS_LIMIT)
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, username, first_name, last_name, site_id, site_name)| Member {
                user_id,
                username,
                first_name,
                last_name,
                site_id,
                site_name,
            },
        )
        .collect())
}
