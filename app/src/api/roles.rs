use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// Permission codes by area, in the order the role editor shows them.
pub const PERMISSION_GROUPS: &[(&str, &[&str])] = &[
    ("sites", &["sites.view", "sites.manage"]),
    ("users", &["users.view", "users.manage", "users.import"]),
    ("roles", &["roles.view", "roles.manage", "roles.assign"]),
    (
        "licences",
        &["licences.view", "licences.assign", "licences.order"],
    ),
    ("tokens", &["tokens.manage_own", "tokens.manage_all"]),
    ("apps", &["apps.connect"]),
    ("audit", &["audit.view"]),
    ("settings", &["settings.manage"]),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInfo {
    pub id: Uuid,
    pub name: String,
    pub builtin_key: Option<String>,
    pub permissions: Vec<String>,
    pub owner_site: Option<String>,
    pub members: u64,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub username: String,
    pub site_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantOption {
    pub role_id: Uuid,
    pub name: String,
    pub builtin_key: Option<String>,
    pub granted: bool,
    pub assignable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub site_id: Uuid,
    pub site_name: String,
    pub role_name: String,
    pub builtin_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserGrants {
    pub user_label: String,
    pub site_id: Uuid,
    pub site_name: String,
    pub options: Vec<GrantOption>,
    pub grants: Vec<Grant>,
}

#[cfg(feature = "ssr")]
impl From<domain::roles::RoleInfo> for RoleInfo {
    fn from(r: domain::roles::RoleInfo) -> Self {
        RoleInfo {
            id: r.id,
            name: r.name,
            builtin_key: r.builtin_key,
            permissions: r.permissions.iter().map(|p| p.code().to_string()).collect(),
            owner_site: r.owner_site.map(|(_, name)| name),
            members: r.members,
            can_edit: r.can_edit,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::roles::UserGrants> for UserGrants {
    fn from(g: domain::roles::UserGrants) -> Self {
        UserGrants {
            user_label: g.user_label,
            site_id: g.site_id,
            site_name: g.site_name,
            options: g
                .options
                .into_iter()
                .map(|o| GrantOption {
                    role_id: o.role_id,
                    name: o.name,
                    builtin_key: o.builtin_key,
                    granted: o.granted,
                    assignable: o.assignable,
                })
                .collect(),
            grants: g
                .grants
                .into_iter()
                .map(|g| Grant {
                    site_id: g.site_id,
                    site_name: g.site_name,
                    role_name: g.role_name,
                    builtin_key: g.builtin_key,
                })
                .collect(),
        }
    }
}

/// The roles page: the roles the user may see and the sites they may create roles on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesOverview {
    pub roles: Vec<RoleInfo>,
    pub owner_sites: Vec<(Uuid, String)>,
}

#[server(endpoint = "list_roles")]
pub async fn list_roles() -> Result<RolesOverview, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let roles = domain::roles::list(&db, &principal).await?;
    let owner_sites = domain::roles::owner_sites(&db, &principal).await?;
    Ok(RolesOverview {
        roles: roles.into_iter().map(Into::into).collect(),
        owner_sites,
    })
}

// JSON, because a URL-encoded form cannot carry an empty list.
#[server(endpoint = "create_role", input = Json)]
pub async fn create_role(
    site: Uuid,
    name: String,
    permissions: Vec<String>,
) -> Result<RoleInfo, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::roles::RoleForm { name, permissions };
    Ok(domain::roles::create(&db, &principal, site, form)
        .await?
        .into())
}

// JSON, because a URL-encoded form cannot carry an empty list.
#[server(endpoint = "update_role", input = Json)]
pub async fn update_role(
    role: Uuid,
    name: String,
    permissions: Vec<String>,
) -> Result<RoleInfo, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::roles::RoleForm { name, permissions };
    Ok(domain::roles::update(&db, &principal, role, form)
        .await?
        .into())
}

#[server(endpoint = "delete_role")]
pub async fn delete_role(role: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::roles::delete(&db, &principal, role).await?)
}

#[server(endpoint = "role_members")]
pub async fn role_members(role: Uuid) -> Result<Vec<Member>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let members = domain::roles::members(&db, &principal, role).await?;
    Ok(members
        .into_iter()
        .map(|m| Member {
            name: format!("{} {}", m.first_name, m.last_name),
            username: m.username,
            site_name: m.site_name,
        })
        .collect())
}

#[server(endpoint = "user_grants")]
pub async fn load_user_grants(user: Uuid, site: Option<Uuid>) -> Result<UserGrants, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::roles::user_grants(&db, &principal, user, site)
        .await?
        .into())
}

// JSON, because a URL-encoded form cannot carry an empty list.
#[server(endpoint = "set_user_grants", input = Json)]
pub async fn set_user_grants(
    user: Uuid,
    site: Uuid,
    roles: Vec<Uuid>,
) -> Result<UserGrants, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(
        domain::roles::set_user_grants(&db, &principal, user, site, roles)
            .await?
            .into(),
    )
}
