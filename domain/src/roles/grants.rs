//! Granting roles to a user on a site (the pencil in the user list). A role holds for the
//! site's whole subtree. Nobody grants or takes away a permission they do not hold there, and
//! nobody removes their own last Administrator grant.
use std::collections::HashSet;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::access::{self, Operation, Permissions, SiteScope};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{role, role_grant, site, user};
use crate::error::{Code, Error, Result};
use crate::sites::{self, Resolved};
use crate::users::user_label;
use crate::{Db, Principal};

/// A role the user holds on a site the principal may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantInfo {
    pub site_id: Uuid,
    pub site_name: String,
    pub role_id: Uuid,
    pub role_name: String,
    pub builtin_key: Option<String>,
}

/// A role that can be granted on the chosen site, as a checkbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantOption {
    pub role_id: Uuid,
    pub name: String,
    pub builtin_key: Option<String>,
    pub granted: bool,
    /// False when the role holds permissions the principal does not hold here.
    pub assignable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGrants {
    pub user_label: String,
    pub site_id: Uuid,
    pub site_name: String,
    pub options: Vec<GrantOption>,
    /// Every grant of the user the principal may see (on all sites).
    pub grants: Vec<GrantInfo>,
}

/// The user's grants, and the roles that can be granted on `site` (default: the user's home).
pub async fn user_grants(
    db: &Db,
    principal: &Principal,
    user_id: Uuid,
    site: Option<Uuid>,
) -> Result<UserGrants> {
    let (target, home) = crate::users::resolve(db, user_id).await?;
    access::require(principal, Operation::ViewUserGrants, &home.scope)?;
    let on = match site {
        Some(site) => {
            let resolved = sites::resolve(db, site).await?;
            access::require(principal, Operation::ViewUserGrants, &resolved.scope)?;
            resolved
        }
        None => home,
    };
    describe(db, principal, &target, &on).await
}

/// Makes the roles `roles` exactly the ones the user holds on `site`.
pub async fn set_user_grants(
    db: &Db,
    principal: &Principal,
    user_id: Uuid,
    site: Uuid,
    roles: Vec<Uuid>,
) -> Result<UserGrants> {
    let (target, home) = crate::users::resolve(db, user_id).await?;
    access::require(principal, Operation::ListUsers, &home.scope)?;
    let on = sites::resolve(db, site).await?;
    access::require(principal, Operation::SetUserGrants, &on.scope)?;
    let authority = crate::users::authority(db.conn(), &target).await?;
    access::require_contains(principal, &authority)?;

    let usable = usable_roles(db, &on.scope).await?;
    let wanted: HashSet<Uuid> = roles.into_iter().collect();
    // A role that cannot be granted here (or is not visible) is not found.
    if let Some(missing) = wanted
        .iter()
        .find(|id| !usable.iter().any(|r| r.public_id == **id))
    {
        tracing::debug!(role = %missing, "role not usable on this site");
        return Err(Error::NotFound);
    }

    let txn = db.write().await?;
    let current: Vec<role_grant::Model> = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(target.id))
        .filter(role_grant::Column::SiteId.eq(on.site.id))
        .all(&*txn)
        .await?;
    let current_roles: HashSet<i32> = current.iter().map(|g| g.role_id).collect();
    let added: Vec<&role::Model> = usable
        .iter()
        .filter(|r| wanted.contains(&r.public_id) && !current_roles.contains(&r.id))
        .collect();
    let removed: Vec<&role_grant::Model> = current
        .iter()
        .filter(|g| {
            !usable
                .iter()
                .any(|r| r.id == g.role_id && wanted.contains(&r.public_id))
        })
        .collect();
    let removed_roles: Vec<role::Model> = if removed.is_empty() {
        Vec::new()
    } else {
        role::Entity::find()
            .filter(role::Column::Id.is_in(removed.iter().map(|g| g.role_id)))
            .all(&*txn)
            .await?
    };
    let touched = added
        .iter()
        .copied()
        .chain(removed_roles.iter())
        .fold(Permissions::default(), |all, r| {
            all.union(super::permissions_of(r))
        });
    access::require_held(principal, &on.scope, touched)?;
    if principal.user_id() == Some(target.id)
        && removed_roles
            .iter()
            .any(|r| r.builtin_key.as_deref() == Some(super::ADMINISTRATOR))
    {
        refuse_last_administrator(&txn, target.id, on.site.id).await?;
    }

    let label = crate::audit::Target::user(&target);
    for grant in &removed {
        role_grant::Entity::delete_by_id(grant.id)
            .exec(&*txn)
            .await?;
    }
    for role in &removed_roles {
        journal(
            &txn,
            principal,
            Action::GrantRemove,
            &label,
            &on.site,
            &journal_name(role),
            "",
        )
        .await?;
    }
    for role in &added {
        role_grant::ActiveModel {
            user_id: Set(target.id),
            role_id: Set(role.id),
            site_id: Set(on.site.id),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        journal(
            &txn,
            principal,
            Action::GrantAdd,
            &label,
            &on.site,
            "",
            &journal_name(role),
        )
        .await?;
    }
    txn.commit().await?;
    describe(db, principal, &target, &on).await
}

/// How the journal names a role: built-in roles by their key behind `@` (the UI translates
/// them), custom roles by their name.
pub(crate) fn journal_name(role: &role::Model) -> String {
    match &role.builtin_key {
        Some(key) => format!("@{key}"),
        None => role.name.clone(),
    }
}

async fn journal(
    txn: &crate::db::WriteTxn,
    principal: &Principal,
    action: Action,
    label: &crate::audit::Target,
    site: &site::Model,
    before: &str,
    after: &str,
) -> Result<()> {
    audit::record(
        &**txn,
        principal,
        Event {
            action,
            target: label.clone(),
            site,
            changes: vec![Change::new("role", before, after)],
        },
    )
    .await
}

/// Refuses when the user would hold no Administrator grant apart from the one on `site`.
async fn refuse_last_administrator(
    txn: &crate::db::WriteTxn,
    user_id: i32,
    site_id: i32,
) -> Result<()> {
    let administrator = role::Entity::find()
        .filter(role::Column::BuiltinKey.eq(super::ADMINISTRATOR))
        .one(&**txn)
        .await?
        .ok_or(Error::NotFound)?;
    let others = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(role_grant::Column::RoleId.eq(administrator.id))
        .filter(role_grant::Column::SiteId.ne(site_id))
        .all(&**txn)
        .await?;
    if others.is_empty() {
        return Err(Error::Refused(Code::CannotRemoveOwnLastAdministrator));
    }
    Ok(())
}

/// The roles that can be granted on a site: built-in ones and those owned on its ancestry.
pub(crate) async fn usable_roles(db: &Db, scope: &SiteScope) -> Result<Vec<role::Model>> {
    let mut roles = role::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(role::Column::SiteId.is_null())
                .add(role::Column::SiteId.is_in(scope.ancestry.clone())),
        )
        .all(db.conn())
        .await?;
    roles.sort_by_key(super::order);
    Ok(roles)
}

async fn describe(
    db: &Db,
    principal: &Principal,
    target: &user::Model,
    on: &Resolved,
) -> Result<UserGrants> {
    let readable = access::readable(principal, Operation::ViewUserGrants)?;
    let rows = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(target.id))
        .filter(sites::in_readable(role_grant::Column::SiteId, &readable))
        .find_also_related(role::Entity)
        .all(db.conn())
        .await?;
    let site_ids: Vec<i32> = rows.iter().map(|(g, _)| g.site_id).collect();
    let names: std::collections::HashMap<i32, site::Model> = if site_ids.is_empty() {
        Default::default()
    } else {
        site::Entity::find()
            .filter(site::Column::Id.is_in(site_ids))
            .all(db.conn())
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let held_here: HashSet<i32> = rows
        .iter()
        .filter(|(g, _)| g.site_id == on.site.id)
        .map(|(g, _)| g.role_id)
        .collect();
    let mut grants: Vec<GrantInfo> = rows
        .iter()
        .filter_map(|(grant, role)| {
            let role = role.as_ref()?;
            let site = names.get(&grant.site_id)?;
            Some(GrantInfo {
                site_id: site.public_id,
                site_name: site.name.clone(),
                role_id: role.public_id,
                role_name: role.name.clone(),
                builtin_key: role.builtin_key.clone(),
            })
        })
        .collect();
    grants.sort_by(|a, b| (&a.site_name, &a.role_name).cmp(&(&b.site_name, &b.role_name)));
    let held = access::held(principal, &on.scope);
    let can_assign = access::allows(principal, Operation::SetUserGrants, &on.scope);
    let options = usable_roles(db, &on.scope)
        .await?
        .into_iter()
        .map(|r| GrantOption {
            granted: held_here.contains(&r.id),
            assignable: can_assign && held.includes(super::permissions_of(&r)),
            role_id: r.public_id,
            name: r.name,
            builtin_key: r.builtin_key,
        })
        .collect();
    Ok(UserGrants {
        user_label: user_label(target),
        site_id: on.site.public_id,
        site_name: on.site.name.clone(),
        options,
        grants,
    })
}
