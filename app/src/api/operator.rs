//! The operator's pages: subscriptions (serial numbers) and the mail outbox.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub serial: String,
    pub seats: i32,
    pub valid_from: chrono::NaiveDate,
    pub valid_until: chrono::NaiveDate,
    pub contact_email: String,
    /// The organisation that claimed it; empty while free.
    pub claimed_by: String,
}

#[server(endpoint = "list_subscriptions")]
pub async fn list_subscriptions() -> Result<Vec<Subscription>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let rows = domain::subscriptions::list(&db, &principal).await?;
    Ok(rows
        .into_iter()
        .map(|s| Subscription {
            serial: s.serial,
            seats: s.seats,
            valid_from: s.valid_from,
            valid_until: s.valid_until,
            contact_email: s.contact_email.unwrap_or_default(),
            claimed_by: s.claimed_by.unwrap_or_default(),
        })
        .collect())
}

#[server(endpoint = "create_subscription")]
pub async fn create_subscription(
    serial: String,
    seats: String,
    valid_from: String,
    valid_until: String,
    contact_email: String,
    locale: String,
) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::subscriptions::SubscriptionForm {
        serial,
        seats,
        valid_from,
        valid_until,
        contact_email,
        locale,
    };
    domain::subscriptions::create(&db, &principal, form).await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: i32,
    pub queued_at: chrono::DateTime<chrono::Utc>,
    pub to: String,
    pub subject: String,
    pub status: wire::JobStatus,
    pub attempts: i32,
    pub last_error: String,
}

#[server(endpoint = "list_outbox")]
pub async fn list_outbox() -> Result<Vec<OutboxMail>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let rows = domain::mail::outbox(&db, &principal, 200).await?;
    Ok(rows
        .into_iter()
        .map(|m| OutboxMail {
            id: m.id,
            queued_at: m.created_at,
            to: m.to,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error.unwrap_or_default(),
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleRow {
    pub id: Uuid,
    pub name: String,
    pub products: Vec<String>,
    /// Devices a user may use a product of the bundle on (none: any number).
    pub max_devices: Option<i32>,
    /// Application sessions a user may have open at once.
    pub max_user_sessions: Option<i32>,
    /// Application sessions a subscription may have open at once (floating seats).
    pub max_sessions: Option<i32>,
}

#[cfg(feature = "ssr")]
impl From<domain::products::Bundle> for BundleRow {
    fn from(b: domain::products::Bundle) -> Self {
        BundleRow {
            id: b.public_id,
            name: b.name,
            products: b.products,
            max_devices: b.limits.devices,
            max_user_sessions: b.limits.user_sessions,
            max_sessions: b.limits.sessions,
        }
    }
}

/// Every product and bundle, for the operators.
#[server(endpoint = "catalogue")]
pub async fn catalogue() -> Result<(Vec<ProductRow>, Vec<BundleRow>), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let (products, bundles) = domain::products::catalogue(&db, &principal).await?;
    Ok((
        products
            .into_iter()
            .map(|p| ProductRow {
                key: p.key,
                name: p.name,
            })
            .collect(),
        bundles.into_iter().map(BundleRow::from).collect(),
    ))
}

#[server(endpoint = "create_product")]
pub async fn create_product(key: String, name: String) -> Result<ProductRow, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let created = domain::products::create_product(&db, &principal, &key, &name).await?;
    Ok(ProductRow {
        key: created.key,
        name: created.name,
    })
}

/// A bundle of products named by their keys, separated by commas or spaces.
#[server(endpoint = "create_bundle")]
pub async fn create_bundle(name: String, products: String) -> Result<BundleRow, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let keys: Vec<String> = products
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    let created = domain::products::create_bundle(&db, &principal, &name, &keys).await?;
    Ok(created.into())
}

/// What the vendor sells a bundle with besides seats: whole numbers, empty for no limit.
#[server(endpoint = "set_bundle_limits")]
pub async fn set_bundle_limits(
    bundle: Uuid,
    max_devices: String,
    max_user_sessions: String,
    max_sessions: String,
) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let limits = domain::applications::LimitsForm {
        max_devices,
        max_user_sessions,
        max_sessions,
    }
    .parse()?;
    Ok(domain::applications::set_bundle_limits(&db, &principal, bundle, limits).await?)
}

/// Every purchase request, for the operators' inbox.
#[server(endpoint = "purchase_inbox")]
pub async fn purchase_inbox() -> Result<Vec<crate::api::overview::RequestRow>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let rows = domain::purchases::inbox(&db, &principal).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[server(endpoint = "mark_request_handled")]
pub async fn mark_request_handled(request: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::purchases::mark_handled(&db, &principal, request).await?)
}
