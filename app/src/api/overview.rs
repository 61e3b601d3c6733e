//! The overview after sign-in: the user's licence (and what the claim at sign-in came to),
//! the products it covers, their application sessions, and licence purchase requests.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub licence: wire::LicenceState,
    /// The last day of the valid licence.
    pub until: Option<chrono::NaiveDate>,
    /// Names of the products the valid licence covers.
    pub products: Vec<String>,
    pub sessions: Vec<AppSessionRow>,
    /// What the claim at sign-in came to, told once.
    pub claim: Option<wire::ClaimOutcome>,
    pub can_order: bool,
    pub requests: Vec<RequestRow>,
    /// The first activation date a request may ask for (ISO).
    pub earliest_activation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSessionRow {
    pub product: String,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: Uuid,
    pub organisation: String,
    pub requester: String,
    pub quantity: i32,
    pub activation_on: chrono::NaiveDate,
    pub email: String,
    pub phone: String,
    pub comment: String,
    pub status: wire::PurchaseStatus,
    pub sent_on: chrono::NaiveDate,
}

#[cfg(feature = "ssr")]
impl From<domain::purchases::PurchaseRequest> for RequestRow {
    fn from(r: domain::purchases::PurchaseRequest) -> Self {
        RequestRow {
            id: r.public_id,
            organisation: r.organisation,
            requester: r.requester,
            quantity: r.quantity,
            activation_on: r.activation_on,
            email: r.email,
            phone: r.phone.unwrap_or_default(),
            comment: r.comment.unwrap_or_default(),
            status: r.status,
            sent_on: wire::time::local(r.created_at).date(),
        }
    }
}

#[server(endpoint = "my_overview")]
pub async fn my_overview() -> Result<Overview, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let view = domain::overview::of(&db, &principal, wire::time::today()).await?;
    let mine = view.licence;
    let session = crate::ssr::session().await?;
    let claim: Option<wire::ClaimOutcome> = session
        .remove(session::keys::SESSION_LICENCE_CLAIM)
        .await
        .ok()
        .flatten();
    Ok(Overview {
        licence: mine.check.status.into(),
        until: mine.check.until,
        products: mine.products.into_iter().map(|p| p.name).collect(),
        sessions: view
            .sessions
            .into_iter()
            .map(|s| AppSessionRow {
                product: s.product_name,
                opened_at: s.opened_at,
                last_seen_at: s.last_seen_at,
            })
            .collect(),
        claim,
        can_order: mine.can_order,
        requests: view.requests.into_iter().map(Into::into).collect(),
        earliest_activation: view.earliest_activation.to_string(),
    })
}

#[server(endpoint = "request_licences")]
pub async fn request_licences(
    quantity: String,
    activation_on: String,
    email: String,
    #[server(default)] phone: String,
    #[server(default)] comment: String,
) -> Result<RequestRow, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let today = wire::time::today();
    let form = domain::purchases::RequestForm {
        quantity,
        activation_on,
        email,
        phone,
        comment,
    };
    Ok(domain::purchases::request(&db, &principal, form, today)
        .await?
        .into())
}
