use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteNode {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub seat_limit: i32,
    pub used_seats: i32,
    /// Archived by a rollover (kept for its history, without seats).
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteDetails {
    pub node: SiteNode,
    /// Where a new parent is searched when the site moves.
    pub move_within: Uuid,
    pub own_users: i32,
    pub subsites: u64,
    pub registration_code: String,
    /// `immediate`, `verify` or `approval`.
    pub registration_flow: wire::RegistrationFlow,
    /// One per line.
    pub allowed_domains: String,
    pub institution_number: String,
    /// ISO date or empty.
    pub expires_on: String,
    pub effective_expires_on: String,
    pub is_root: bool,
    pub can_manage: bool,
    pub can_edit_seat_limit: bool,
    pub can_delete: bool,
    pub can_move: bool,
    pub can_manage_users: bool,
    pub can_assign_roles: bool,
    pub can_view_licences: bool,
    pub can_assign_licences: bool,
    pub can_claim_subscription: bool,
    pub can_manage_sign_in: bool,
}

#[cfg(feature = "ssr")]
impl From<domain::sites::SiteNode> for SiteNode {
    fn from(n: domain::sites::SiteNode) -> Self {
        SiteNode {
            id: n.id,
            parent_id: n.parent_id,
            name: n.name,
            seat_limit: n.seat_limit,
            used_seats: n.used_seats,
            archived: n.archived,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::sites::SiteDetails> for SiteDetails {
    fn from(d: domain::sites::SiteDetails) -> Self {
        let iso = |date: Option<chrono::NaiveDate>| {
            date.map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        SiteDetails {
            node: d.node.into(),
            move_within: d.move_within,
            own_users: d.own_users,
            subsites: d.subsites,
            registration_code: d.registration_code.unwrap_or_default(),
            registration_flow: d.registration_flow,
            allowed_domains: d.allowed_domains.join("\n"),
            institution_number: d.institution_number.unwrap_or_default(),
            expires_on: iso(d.expires_on),
            effective_expires_on: iso(d.effective_expires_on),
            is_root: d.is_root,
            can_manage: d.can_manage,
            can_edit_seat_limit: d.can_edit_seat_limit,
            can_delete: d.can_delete,
            can_move: d.can_move,
            can_manage_users: d.can_manage_users,
            can_assign_roles: d.can_assign_roles,
            can_view_licences: d.can_view_licences,
            can_assign_licences: d.can_assign_licences,
            can_claim_subscription: d.can_claim_subscription,
            can_manage_sign_in: d.can_manage_sign_in,
        }
    }
}

#[server(endpoint = "site_tree")]
pub async fn site_tree() -> Result<Vec<SiteNode>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let tree = domain::sites::tree(&db, &principal).await?;
    Ok(tree.into_iter().map(Into::into).collect())
}

#[server(endpoint = "site_details")]
pub async fn load_site_details(site: Option<Uuid>) -> Result<SiteDetails, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    Ok(domain::sites::details(&db, &principal, site).await?.into())
}

#[server(endpoint = "create_site")]
pub async fn create_site(
    parent: Uuid,
    name: String,
    seat_limit: String,
) -> Result<SiteNode, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::sites::NewSiteForm { name, seat_limit };
    Ok(domain::sites::create(&db, &principal, parent, form)
        .await?
        .into())
}

#[allow(clippy::too_many_arguments)] // a form: one argument per field
#[server(endpoint = "update_site")]
pub async fn update_site(
    site: Uuid,
    name: String,
    seat_limit: String,
    registration_code: String,
    expires_on: String,
    registration_flow: String,
    allowed_domains: String,
    #[server(default)] institution_number: String,
) -> Result<SiteDetails, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::sites::SiteForm {
        name,
        seat_limit,
        registration_code,
        expires_on,
        registration_flow,
        allowed_domains,
        institution_number,
    };
    Ok(domain::sites::update(&db, &principal, site, form)
        .await?
        .into())
}

#[server(endpoint = "delete_site")]
pub async fn delete_site(site: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::sites::delete(&db, &principal, site).await?)
}

#[server(endpoint = "move_options")]
pub async fn move_options(site: Uuid) -> Result<Vec<SiteNode>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let options = domain::sites::move_options(&db, &principal, site).await?;
    Ok(options.into_iter().map(Into::into).collect())
}

#[server(endpoint = "move_site")]
pub async fn move_site(site: Uuid, new_parent: Uuid) -> Result<SiteDetails, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::sites::move_site(&db, &principal, site, new_parent)
        .await?
        .into())
}
