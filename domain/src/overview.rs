//! What the signed-in user's overview shows, read in one call: their licence and the products
//! it covers, their applications' open sessions, their requests to buy seats, and the first
//! day a new request may start.
use chrono::{Duration, NaiveDate};

use crate::applications::AppSession;
use crate::error::Result;
use crate::licences::MyLicence;
use crate::purchases::{PurchaseRequest, LEAD_DAYS};
use crate::{applications, licences, purchases, users, Db, Principal};

pub struct Overview {
    pub licence: MyLicence,
    pub sessions: Vec<AppSession>,
    pub requests: Vec<PurchaseRequest>,
    /// A request's activation date is at least this (today plus the lead time).
    pub earliest_activation: NaiveDate,
}

pub async fn of(db: &Db, principal: &Principal, today: NaiveDate) -> Result<Overview> {
    let licence = licences::mine(db, principal, today).await?;
    let me = users::own_account(db, principal).await?;
    let sessions = applications::sessions_of(db, principal, me.public_id).await?;
    let requests = purchases::mine(db, principal).await?;
    Ok(Overview {
        licence,
        sessions,
        requests,
        earliest_activation: today + Duration::days(LEAD_DAYS),
    })
}
