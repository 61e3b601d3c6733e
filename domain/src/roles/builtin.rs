//! The built-in roles (Administrator, Licence manager, User) and unchecked grants for the
//! demo, the operator command and tests.
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::access::{Permission, Permissions};
use crate::entities::{role, role_grant};
use crate::error::Result;

pub const ADMINISTRATOR: &str = "administrator";
pub const LICENCE_MANAGER: &str = "licence_manager";
pub const USER: &str = "user";
/// For the service account of a licensed application or an external party.
pub const APPLICATION: &str = "application";

pub(crate) fn builtin() -> [(&'static str, &'static str, Permissions); 4] {
    use Permission::*;
    [
        (ADMINISTRATOR, "Administrator", Permissions::all()),
        (
            LICENCE_MANAGER,
            "Licence manager",
            [
                SitesView,
                UsersView,
                LicencesView,
                LicencesAssign,
                LicencesOrder,
            ]
            .into_iter()
            .collect(),
        ),
        (
            APPLICATION,
            "Application",
            [SitesView, UsersView, LicencesView, AppsConnect]
                .into_iter()
                .collect(),
        ),
        (USER, "User", Permissions::default()),
    ]
}

/// The permissions of a built-in role (none for an unknown key).
pub fn builtin_permissions(key: &str) -> Permissions {
    builtin()
        .into_iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, _, p)| p)
        .unwrap_or_default()
}

/// Creates the built-in roles that are missing and brings the others' permissions up to date
/// (a new permission reaches the Administrator role of an existing database). Idempotent.
pub async fn ensure_builtin(conn: &impl ConnectionTrait) -> Result<()> {
    for (key, name, permissions) in builtin() {
        let existing = role::Entity::find()
            .filter(role::Column::BuiltinKey.eq(key))
            .one(conn)
            .await?;
        if let Some(existing) = &existing {
            if existing.permissions != permissions.to_stored() {
                role::Entity::update_many()
                    .col_expr(
                        role::Column::Permissions,
                        sea_orm::sea_query::Expr::value(permissions.to_stored()),
                    )
                    .filter(role::Column::Id.eq(existing.id))
                    .exec(conn)
                    .await?;
            }
        }
        if existing.is_none() {
            role::ActiveModel {
                public_id: Set(Uuid::new_v4()),
                site_id: Set(None),
                builtin_key: Set(Some(key.to_string())),
                name: Set(name.to_string()),
                permissions: Set(permissions.to_stored()),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
    }
    Ok(())
}

/// Grants a built-in role on a site, without access checks (demo, operator, tests).
pub async fn grant_builtin_unchecked(
    conn: &impl ConnectionTrait,
    user_id: i32,
    key: &str,
    site_id: i32,
) -> Result<()> {
    ensure_builtin(conn).await?;
    let role = role::Entity::find()
        .filter(role::Column::BuiltinKey.eq(key))
        .one(conn)
        .await?
        .ok_or(crate::Error::NotFound)?;
    role_grant::ActiveModel {
        user_id: Set(user_id),
        role_id: Set(role.id),
        site_id: Set(site_id),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}
