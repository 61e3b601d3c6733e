//! An organisation's subscriptions as its administrators see them, and claiming another serial
//! number for it. (The operator's list of every subscription is in [`super::operator`].)
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// An organisation's subscription, as its administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSubscription {
    pub serial: String,
    pub seats: i32,
    pub valid_from: chrono::NaiveDate,
    pub valid_until: chrono::NaiveDate,
    pub state: wire::SubscriptionState,
}

#[cfg(feature = "ssr")]
fn org_row(s: domain::subscriptions::SubscriptionRow) -> OrgSubscription {
    let state = s.state(wire::time::today());
    OrgSubscription {
        serial: s.serial,
        seats: s.seats,
        valid_from: s.valid_from,
        valid_until: s.valid_until,
        state,
    }
}

#[server(endpoint = "organisation_subscriptions")]
pub async fn organisation_subscriptions(
    site: Option<Uuid>,
) -> Result<Vec<OrgSubscription>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let rows = domain::subscriptions::of_organisation(&db, &principal, site).await?;
    Ok(rows.into_iter().map(org_row).collect())
}

#[server(endpoint = "add_subscription")]
pub async fn add_subscription(site: Uuid, serial: String) -> Result<OrgSubscription, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let today = wire::time::today();
    let added =
        domain::subscriptions::claim_additional(&db, &principal, site, &serial, today).await?;
    Ok(org_row(added))
}
