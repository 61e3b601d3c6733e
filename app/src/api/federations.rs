//! Federations of an organisation: its own OpenID providers and the rules that identify, place
//! and entitle the users they sign in; a preview against sample claims.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// A role a rule may grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChoice {
    pub id: Uuid,
    pub name: String,
    pub builtin_key: Option<String>,
}

/// The panel: the organisation's federations and the roles its rules may grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederationsView {
    pub federations: Vec<wire::Federation>,
    pub roles: Vec<RoleChoice>,
}

#[server(endpoint = "load_federations")]
pub async fn load_federations(site: Uuid) -> Result<FederationsView, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let federations = domain::federation::list(&db, &principal, site).await?;
    let roles = domain::federation::role_choices(&db, &principal, site).await?;
    Ok(FederationsView {
        federations,
        roles: roles
            .into_iter()
            .map(|r| RoleChoice {
                id: r.id,
                name: r.name,
                builtin_key: r.builtin_key,
            })
            .collect(),
    })
}

// JSON: the rules are a list of records.
#[server(endpoint = "save_federation", input = Json)]
pub async fn save_federation(site: Uuid, federation: wire::Federation) -> Result<Uuid, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::federation::save(&db, &principal, site, federation).await?)
}

#[server(endpoint = "remove_federation")]
pub async fn remove_federation(federation: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::federation::remove(&db, &principal, federation).await?)
}

/// What the federation would do with these claims (a JSON object), changing nothing.
#[server(endpoint = "preview_federation")]
pub async fn preview_federation(
    federation: Uuid,
    claims: String,
) -> Result<wire::FederationPreview, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::federation::preview(&db, &principal, federation, &claims).await?)
}
