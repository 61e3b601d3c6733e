//! Applications' sessions and devices as an administrator sees them: a user's open sessions
//! and their devices, and ending or removing one.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// A user's open application sessions, for their administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAppSession {
    pub id: Uuid,
    pub product: String,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
}

#[server(endpoint = "user_app_sessions")]
pub async fn user_app_sessions(user: Uuid) -> Result<Vec<UserAppSession>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let sessions = domain::applications::sessions_of(&db, &principal, user).await?;
    Ok(sessions
        .into_iter()
        .map(|s| UserAppSession {
            id: s.public_id,
            product: s.product_name,
            opened_at: s.opened_at,
            last_seen_at: s.last_seen_at,
        })
        .collect())
}

#[server(endpoint = "end_app_session")]
pub async fn end_app_session(session: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::applications::end(&db, &principal, session).await?)
}

/// A device a user uses a product on, for their administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDevice {
    pub id: Uuid,
    pub product: String,
    pub fingerprint: String,
    pub name: Option<String>,
    pub first_seen_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
}

#[server(endpoint = "user_devices")]
pub async fn user_devices(user: Uuid) -> Result<Vec<UserDevice>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let devices = domain::applications::devices_of(&db, &principal, user).await?;
    Ok(devices
        .into_iter()
        .map(|d| UserDevice {
            id: d.public_id,
            product: d.product_name,
            fingerprint: d.fingerprint,
            name: d.name,
            first_seen_at: d.first_seen_at,
            last_seen_at: d.last_seen_at,
        })
        .collect())
}

/// An administrator removes a user's device (journaled): its place is free again.
#[server(endpoint = "remove_device")]
pub async fn remove_device(device: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::applications::remove_device(&db, &principal, device).await?)
}
