//! Who is provisioning: a SCIM connection is an API token (of a service account, usually) whose
//! account acts in its home site's subtree under its roles, and what a DELETE through it does.
use chrono::NaiveDate;
use uuid::Uuid;

use super::OnDelete;
use crate::api_tokens::{accept, digest_of, find};
use crate::error::Result;
use crate::{sites, Db, Principal};

#[derive(Debug, Clone)]
pub struct Connection {
    pub principal: Principal,
    /// The site users are created in and listed below: the account's home site.
    pub site: Uuid,
    pub on_delete: OnDelete,
}

/// The connection of a bearer token, or `unauthenticated` (as the API refuses a token).
pub async fn connect(db: &Db, secret: &str, today: NaiveDate) -> Result<Connection> {
    let digest = digest_of(secret)?;
    let loaded = find(db, &digest, today).await?;
    let on_delete = if loaded.0.scim_deletes {
        OnDelete::Delete
    } else {
        OnDelete::Deactivate
    };
    let principal = accept(db, digest, loaded, today).await?;
    let site = sites::site_or_home(db, &principal, None).await?;
    Ok(Connection {
        principal,
        site,
        on_delete,
    })
}
