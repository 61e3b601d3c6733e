//! Institution links: a user's own links to schools, and the operators' list and linking.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// A link of an account to a school (institution linking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionLinkView {
    pub id: Uuid,
    pub username: String,
    pub institution: String,
    pub institution_number: String,
    pub linked_on: String,
}

#[cfg(feature = "ssr")]
fn institution_view(l: domain::institutions::InstitutionLink) -> InstitutionLinkView {
    InstitutionLinkView {
        id: l.public_id,
        username: l.username,
        institution: l.institution,
        institution_number: l.institution_number,
        linked_on: l.linked_at.format("%Y-%m-%d").to_string(),
    }
}

#[server(endpoint = "my_institutions")]
pub async fn my_institutions() -> Result<Vec<InstitutionLinkView>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let links = domain::institutions::mine(&db, &principal).await?;
    Ok(links.into_iter().map(institution_view).collect())
}

#[server(endpoint = "withdraw_institution")]
pub async fn withdraw_institution(link: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::institutions::withdraw(&db, &principal, link).await?)
}

/// The latest institution links, for the operators.
#[server(endpoint = "institution_links")]
pub async fn institution_links() -> Result<Vec<InstitutionLinkView>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let links = domain::institutions::recent(&db, &principal).await?;
    Ok(links.into_iter().map(institution_view).collect())
}

#[server(endpoint = "link_institution")]
pub async fn link_institution(
    username: String,
    institution_number: String,
) -> Result<InstitutionLinkView, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let link = domain::institutions::link(&db, &principal, &username, &institution_number).await?;
    Ok(institution_view(link))
}
