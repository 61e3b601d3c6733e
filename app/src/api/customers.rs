//! The vendor's console: customers with their figures, one customer, the renewals list, and a
//! support visit to a customer's administration (journaled). Operators only.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wire::{CustomerDetail, CustomerPage, CustomerSort, RenewalRow};

use crate::error::AppError;

/// The customer list's query, as it stands in the page's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFilter {
    pub search: String,
    pub sort: CustomerSort,
    pub descending: bool,
    pub page: u64,
}

#[server(endpoint = "list_customers")]
pub async fn list_customers(filter: CustomerFilter) -> Result<CustomerPage, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let query = domain::customers::CustomerQuery {
        search: filter.search,
        sort: filter.sort,
        descending: filter.descending,
        page: filter.page,
    };
    Ok(domain::customers::list(&db, &principal, query, wire::time::today()).await?)
}

#[server(endpoint = "load_customer")]
pub async fn load_customer(customer: Uuid) -> Result<CustomerDetail, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::customers::customer(&db, &principal, customer, wire::time::today()).await?)
}

/// Journals that the operator opens the customer's administration (the page then goes there).
#[server(endpoint = "open_customer_support")]
pub async fn open_customer_support(customer: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::customers::open_for_support(&db, &principal, customer).await?)
}

#[server(endpoint = "list_renewals")]
pub async fn list_renewals(within_days: u32) -> Result<Vec<RenewalRow>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let query = domain::customers::RenewalQuery { within_days };
    Ok(domain::customers::renewals(&db, &principal, query, wire::time::today()).await?)
}

/// Whether the signed-in operator gets the renewals by mail every Monday.
#[server(endpoint = "renewals_digest")]
pub async fn renewals_digest() -> Result<bool, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::customers::digest_wanted(&db, &principal).await?)
}

/// The signed-in operator's choice of the weekly renewals mail.
#[server(endpoint = "set_renewals_digest")]
pub async fn set_renewals_digest(wanted: bool) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::customers::set_digest(&db, &principal, wanted).await?)
}
