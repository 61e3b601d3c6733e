//! Activation codes: the operators' batches (made, listed, their codes with who redeemed
//! them, revoked) and a user redeeming a code.
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: Uuid,
    pub name: String,
    pub bundle_name: Option<String>,
    pub days: i32,
    pub size: i32,
    pub redeemed: i32,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeLine {
    pub code: String,
    pub redeemed_by: Option<String>,
    pub redeemed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemedCode {
    pub until: NaiveDate,
    pub products: Vec<String>,
}

#[cfg(feature = "ssr")]
impl From<domain::activation::Batch> for BatchRow {
    fn from(b: domain::activation::Batch) -> Self {
        BatchRow {
            id: b.public_id,
            name: b.name,
            bundle_name: b.bundle_name,
            days: b.days,
            size: b.size,
            redeemed: b.redeemed,
            created_at: b.created_at,
            revoked: b.revoked_at.is_some(),
        }
    }
}

#[server(endpoint = "code_batches")]
pub async fn code_batches() -> Result<Vec<BatchRow>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::activation::batches(&db, &principal)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A batch of `size` codes, each a licence of the bundle for `days` days.
#[server(endpoint = "create_code_batch")]
pub async fn create_code_batch(
    name: String,
    bundle: Uuid,
    days: String,
    size: String,
) -> Result<BatchRow, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::activation::BatchForm {
        name,
        bundle: Some(bundle),
        days,
        size,
    };
    Ok(domain::activation::create_batch(&db, &principal, form)
        .await?
        .into())
}

#[server(endpoint = "batch_codes")]
pub async fn batch_codes(batch: Uuid) -> Result<Vec<CodeLine>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let (_, codes) = domain::activation::codes(&db, &principal, batch).await?;
    Ok(codes
        .into_iter()
        .map(|c| CodeLine {
            code: c.code,
            redeemed_by: c.redeemed_by,
            redeemed_at: c.redeemed_at,
        })
        .collect())
}

#[server(endpoint = "revoke_code_batch")]
pub async fn revoke_code_batch(batch: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::activation::revoke_batch(&db, &principal, batch).await?)
}

/// The signed-in user redeems an activation code.
#[server(endpoint = "redeem_code")]
pub async fn redeem_code(code: String) -> Result<RedeemedCode, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let done = domain::activation::redeem(&db, &principal, &code, wire::time::today()).await?;
    Ok(RedeemedCode {
        until: done.until,
        products: done.products,
    })
}
