//! The user an operation acts on, checked once: the operation on the site where they are
//! placed, and their authority contained in the principal's (`access::require_over`). Every
//! domain function that acts on a user by id goes through [`target`] (or [`own_or_target`]
//! where one's own account needs no permission); bulk paths load many authorities at once
//! with [`authorities`].
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::access::{self, Authority, Operation, Permissions};
use crate::entities::{role, role_grant, user};
use crate::error::Result;
use crate::sites::Resolved;
use crate::{Db, Principal};

/// A user the principal may act on, with their site's ancestry.
#[derive(Debug, Clone)]
pub struct Target {
    pub user: user::Model,
    pub site: Resolved,
}

/// `user`, when the principal may do `operation` on them (see the module).
pub async fn target(
    db: &Db,
    principal: &Principal,
    operation: Operation,
    user: Uuid,
) -> Result<Target> {
    let (found, site) = super::resolve(db, user).await?;
    reach(db, principal, operation, found, site).await
}

/// The principal's own account (no permission needed), or another user as [`target`].
pub async fn own_or_target(
    db: &Db,
    principal: &Principal,
    operation: Operation,
    user: Uuid,
) -> Result<Target> {
    let (found, site) = super::resolve(db, user).await?;
    if principal.user_id() == Some(found.id) {
        return Ok(Target { user: found, site });
    }
    reach(db, principal, operation, found, site).await
}

/// The two questions: the operation on the user's site, then authority over them.
async fn reach(
    db: &Db,
    principal: &Principal,
    operation: Operation,
    found: user::Model,
    site: Resolved,
) -> Result<Target> {
    access::require(principal, operation, &site.scope)?;
    let authority = authority(db.conn(), &found).await?;
    access::require_contains(principal, &authority)?;
    Ok(Target { user: found, site })
}

/// One user's authority.
pub async fn authority(conn: &impl ConnectionTrait, target: &user::Model) -> Result<Authority> {
    let mut all = authorities(conn, &[target.id]).await?;
    let mut found = all.remove(&target.id).unwrap_or_default();
    found.operator = target.is_operator;
    Ok(found)
}

/// The authority of each of `users` that holds a grant (users without one are absent: plain).
/// Operators are marked from their rows. Two queries for any number of users.
pub async fn authorities(
    conn: &impl ConnectionTrait,
    users: &[i32],
) -> Result<HashMap<i32, Authority>> {
    let mut grants: Vec<(i32, i32, String)> = Vec::new();
    for chunk in users.chunks(500) {
        grants.extend(
            role_grant::Entity::find()
                .select_only()
                .column(role_grant::Column::UserId)
                .column(role_grant::Column::SiteId)
                .column(role::Column::Permissions)
                .inner_join(role::Entity)
                .filter(role_grant::Column::UserId.is_in(chunk.to_vec()))
                .into_tuple::<(i32, i32, String)>()
                .all(conn)
                .await?,
        );
    }
    let mut operators: Vec<i32> = Vec::new();
    for chunk in users.chunks(500) {
        operators.extend(
            user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::Id.is_in(chunk.to_vec()))
                .filter(user::Column::IsOperator.eq(true))
                .into_tuple::<i32>()
                .all(conn)
                .await?,
        );
    }
    let mut sites: Vec<i32> = grants.iter().map(|(_, s, _)| *s).collect();
    sites.sort_unstable();
    sites.dedup();
    let scopes = crate::sites::scopes_of(conn, &sites).await?;
    let mut found: HashMap<i32, Authority> = HashMap::new();
    for (user_id, site_id, stored) in grants {
        let Some(scope) = scopes.get(&site_id) else {
            continue;
        };
        let permissions = Permissions::parse(&stored);
        let authority = found.entry(user_id).or_default();
        match authority.grants.iter_mut().find(|(s, _)| s == scope) {
            Some((_, held)) => *held = held.union(permissions),
            None => authority.grants.push((scope.clone(), permissions)),
        }
    }
    for id in operators {
        found.entry(id).or_default().operator = true;
    }
    Ok(found)
}
