//! Webhooks: the endpoints of a site's subtree (or the vendor's), registering one (its secret
//! shown once), switching one off or on, removing one, its deliveries and a redelivery.
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRow {
    pub id: Uuid,
    /// The site whose subtree it hears; none for the vendor's.
    pub site_name: Option<String>,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<String>,
    pub enabled: bool,
    pub failing_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksView {
    /// The site the page is for; none: the vendor's endpoints.
    pub site: Option<(Uuid, String)>,
    pub endpoints: Vec<EndpointRow>,
    /// Every event type an endpoint may choose.
    pub event_types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub message_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
}

#[cfg(feature = "ssr")]
impl From<domain::webhooks::Endpoint> for EndpointRow {
    fn from(e: domain::webhooks::Endpoint) -> Self {
        EndpointRow {
            id: e.public_id,
            site_name: e.site.map(|(_, name)| name),
            url: e.url,
            description: e.description,
            events: e.events,
            enabled: e.enabled,
            failing_since: e.failing_since,
        }
    }
}

#[cfg(feature = "ssr")]
fn scope(site: Option<Uuid>, vendor: bool) -> domain::webhooks::Scope {
    if vendor {
        domain::webhooks::Scope::Vendor
    } else {
        domain::webhooks::Scope::Site(site)
    }
}

/// The endpoints of a site's subtree (the administrator's first site by default), or the
/// vendor's.
#[server(endpoint = "webhooks_page")]
pub async fn webhooks_page(site: Option<Uuid>, vendor: bool) -> Result<WebhooksView, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let list = domain::webhooks::endpoints(&db, &principal, scope(site, vendor)).await?;
    Ok(WebhooksView {
        site: list.site,
        endpoints: list.endpoints.into_iter().map(Into::into).collect(),
        event_types: domain::webhooks::EVENT_TYPES
            .iter()
            .map(|e| e.to_string())
            .collect(),
    })
}

/// Registers an endpoint for a site (or, for the vendor, every organisation); the answer is
/// its signing secret, shown once.
#[server(endpoint = "register_webhook", input = Json)]
pub async fn register_webhook(
    site: Option<Uuid>,
    url: String,
    description: String,
    events: Vec<String>,
) -> Result<String, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let made = domain::webhooks::register(
        &db,
        &principal,
        domain::webhooks::NewEndpoint {
            site,
            url,
            events,
            description,
        },
    )
    .await?;
    Ok(made.secret)
}

#[server(endpoint = "set_webhook_enabled")]
pub async fn set_webhook_enabled(endpoint: Uuid, enabled: bool) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::webhooks::set_enabled(&db, &principal, endpoint, enabled).await?)
}

#[server(endpoint = "remove_webhook")]
pub async fn remove_webhook(endpoint: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::webhooks::remove(&db, &principal, endpoint).await?)
}

/// The latest deliveries to an endpoint, newest first.
#[server(endpoint = "webhook_deliveries")]
pub async fn webhook_deliveries(endpoint: Uuid) -> Result<Vec<DeliveryRow>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::webhooks::deliveries(&db, &principal, endpoint)
        .await?
        .into_iter()
        .map(|d| DeliveryRow {
            id: d.public_id,
            message_id: d.message_id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            last_attempt_at: d.last_attempt_at,
        })
        .collect())
}

/// Sends a delivery again, with the same message id.
#[server(endpoint = "redeliver_webhook")]
pub async fn redeliver_webhook(delivery: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::webhooks::redeliver(&db, &principal, delivery).await?)
}
