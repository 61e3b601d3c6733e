//! Linked sign-ins as an administrator sees them: a user's links, and removing one. (The
//! user's own links are on the profile: `api/profile.rs`.)
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;

/// A user's links as their administrator sees them.
#[server(endpoint = "user_links")]
pub async fn user_links(user: Uuid) -> Result<Vec<crate::api::profile::LinkView>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let links = domain::sso::links_of(&db, &principal, user).await?;
    Ok(links
        .into_iter()
        .map(crate::api::profile::link_view)
        .collect())
}

#[server(endpoint = "remove_user_link")]
pub async fn remove_user_link(user: Uuid, provider: String) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::sso::unlink(&db, &principal, user, &provider).await?)
}
