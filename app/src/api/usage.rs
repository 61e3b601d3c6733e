//! Usage charts: the days of a site's subtree (administrators) or of every customer (the
//! vendor), up to yesterday.
use leptos::prelude::*;
use uuid::Uuid;
use wire::UsageDay;

use crate::error::AppError;

/// The periods offered, in days.
pub const PERIODS: [u32; 3] = [30, 90, 365];

#[server(endpoint = "load_usage")]
/// The usage of `site` and its subtree (none: the reader's own site), or of every customer
/// (the vendor's), for `product` (empty: all) over the last `days` days up to yesterday.
pub async fn load_usage(
    site: Option<Uuid>,
    every_customer: bool,
    product: String,
    days: u32,
) -> Result<Vec<UsageDay>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let whose = if every_customer {
        domain::usage::Whose::EveryCustomer
    } else {
        domain::usage::Whose::Site(domain::sites::site_or_home(&db, &principal, site).await?)
    };
    let to = wire::time::today() - chrono::Duration::days(1);
    let from = to - chrono::Duration::days(i64::from(days.clamp(1, 365)) - 1);
    let query = domain::usage::UsageQuery {
        whose,
        product: (!product.trim().is_empty()).then_some(product),
        from,
        to,
    };
    Ok(domain::usage::series(&db, &principal, query).await?)
}
