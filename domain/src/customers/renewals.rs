//! The renewals list: claimed subscriptions ending within a window (and whether a later one of
//! the customer is claimed already), those already lapsed with nothing after them, and
//! renewals claimed in advance. Activation codes are licences, not subscriptions: left out.
use chrono::{Duration, NaiveDate};
use sea_orm::ConnectionTrait;
use wire::{RenewalRow, RenewalState};

use crate::access::{self, Operation};
use crate::error::Result;
use crate::{Db, Principal};

/// How far back a lapsed subscription is still shown.
pub const LAPSED_DAYS: i64 = 365;
/// The most rows the list holds (the newest lapsed are kept first when there are more).
pub const MOST_ROWS: u64 = 5_000;

#[derive(Debug, Clone, Copy)]
pub struct RenewalQuery {
    /// Subscriptions ending within this many days from today (30, 60, 90).
    pub within_days: u32,
}

/// The renewals list on `today`: ending (or renewed) first by end, then upcoming renewals by
/// start, then lapsed ones, the most recent first.
pub async fn renewals(
    db: &Db,
    principal: &Principal,
    query: RenewalQuery,
    today: NaiveDate,
) -> Result<Vec<RenewalRow>> {
    access::require_operator(principal, Operation::ViewCustomers)?;
    renewal_rows(db.conn(), query, today).await
}

/// The renewals list on `today`, for whoever may see it (the page, its file, the weekly mail).
pub(crate) async fn renewal_rows(
    conn: &impl ConnectionTrait,
    query: RenewalQuery,
    today: NaiveDate,
) -> Result<Vec<RenewalRow>> {
    let horizon = today + Duration::days(i64::from(query.within_days.min(366)));
    let lapsed_since = today - Duration::days(LAPSED_DAYS);
    let sql = format!(
        "SELECT s.serial, s.valid_from, s.valid_until, s.seats, s.assigned, s.contact_email, \
           o.public_id, o.name, \
           CASE WHEN EXISTS (SELECT 1 FROM subscriptions l WHERE l.site_id = s.site_id \
             AND l.activation_batch_id IS NULL AND l.valid_until > s.valid_until) \
             THEN 1 ELSE 0 END AS followed, \
           CASE WHEN EXISTS (SELECT 1 FROM subscriptions r WHERE r.site_id = s.site_id \
             AND r.activation_batch_id IS NULL AND r.valid_until >= ?) \
             THEN 1 ELSE 0 END AS running \
         FROM subscriptions s JOIN sites o ON o.id = s.site_id \
         WHERE s.activation_batch_id IS NULL AND NOT o.is_vendor \
           AND ((s.valid_until >= ? AND s.valid_until <= ?) OR s.valid_from > ? \
             OR (s.valid_until < ? AND s.valid_until >= ?)) \
         ORDER BY s.valid_until DESC, s.id DESC LIMIT {MOST_ROWS}"
    );
    let values = vec![
        today.into(),
        today.into(),
        horizon.into(),
        today.into(),
        today.into(),
        lapsed_since.into(),
    ];
    let found = conn
        .query_all_raw(crate::sql::statement(
            conn.get_database_backend(),
            &sql,
            values,
        ))
        .await?;
    let mut rows = Vec::with_capacity(found.len());
    for row in &found {
        let valid_from: NaiveDate = row.try_get("", "valid_from")?;
        let valid_until: NaiveDate = row.try_get("", "valid_until")?;
        let followed = row.try_get::<i32>("", "followed")? != 0;
        let running = row.try_get::<i32>("", "running")? != 0;
        let state = if valid_from > today {
            RenewalState::Upcoming
        } else if valid_until >= today {
            if followed {
                RenewalState::Renewed
            } else {
                RenewalState::Ending
            }
        } else if !running && !followed {
            RenewalState::Lapsed
        } else {
            // Ended, but the customer went on with another subscription.
            continue;
        };
        rows.push(RenewalRow {
            serial: row.try_get("", "serial")?,
            customer: row.try_get("", "public_id")?,
            customer_name: row.try_get("", "name")?,
            state,
            valid_from,
            valid_until,
            seats: i64::from(row.try_get::<i32>("", "seats")?),
            assigned: i64::from(row.try_get::<i32>("", "assigned")?),
            contact_email: row.try_get("", "contact_email")?,
        });
    }
    let rank = |state: RenewalState| match state {
        RenewalState::Ending | RenewalState::Renewed => 0,
        RenewalState::Upcoming => 1,
        RenewalState::Lapsed => 2,
    };
    rows.sort_by(|a, b| {
        rank(a.state)
            .cmp(&rank(b.state))
            .then_with(|| match a.state {
                RenewalState::Ending | RenewalState::Renewed => a.valid_until.cmp(&b.valid_until),
                RenewalState::Upcoming => a.valid_from.cmp(&b.valid_from),
                RenewalState::Lapsed => b.valid_until.cmp(&a.valid_until),
            })
    });
    Ok(rows)
}
