//! A user's licence state, from the periods of the subscriptions their licences belong to.
use chrono::{Duration, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{licence, subscription};
use crate::error::Result;
use crate::users::resolve;
use crate::{Db, Principal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    None,
    ActiveSince(NaiveDate),
    ActiveFrom(NaiveDate),
    ExpiredSince(NaiveDate),
}

/// One licence a user holds: its subscription's validity and the day it was assigned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Period {
    pub subscription_id: i32,
    /// None: every product.
    pub bundle_id: Option<i32>,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub assigned_on: NaiveDate,
}

impl From<Status> for wire::LicenceState {
    fn from(status: Status) -> Self {
        match status {
            Status::None => wire::LicenceState::None,
            Status::ActiveSince(day) => wire::LicenceState::Active(day),
            Status::ActiveFrom(day) => wire::LicenceState::Upcoming(day),
            Status::ExpiredSince(day) => wire::LicenceState::Expired(day),
        }
    }
}

impl Status {
    pub fn is_valid(self) -> bool {
        matches!(self, Status::ActiveSince(_))
    }

    /// A valid licence wins (since the earliest day it counts); else the first one to come;
    /// else the day after the last one ended.
    pub(crate) fn of(periods: &[Period], today: NaiveDate) -> Status {
        let valid = periods
            .iter()
            .filter(|p| p.from <= today && today <= p.until)
            .map(|p| p.from.max(p.assigned_on))
            .min();
        if let Some(since) = valid {
            return Status::ActiveSince(since);
        }
        if let Some(from) = periods
            .iter()
            .filter(|p| p.from > today)
            .map(|p| p.from)
            .min()
        {
            return Status::ActiveFrom(from);
        }
        match periods.iter().map(|p| p.until).max() {
            Some(until) => Status::ExpiredSince(until + Duration::days(1)),
            None => Status::None,
        }
    }
}

pub(crate) async fn periods(conn: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Period>> {
    // One statement: the licences with their subscriptions.
    let held = licence::Entity::find()
        .join(
            JoinType::InnerJoin,
            licence::Entity::belongs_to(subscription::Entity)
                .from(licence::Column::SubscriptionId)
                .to(subscription::Column::Id)
                .into(),
        )
        .select_also(subscription::Entity)
        .filter(licence::Column::UserId.eq(user_id))
        .order_by_asc(licence::Column::Id)
        .all(conn)
        .await?;
    Ok(held
        .iter()
        .filter_map(|(l, s)| {
            let s = s.as_ref()?;
            Some(Period {
                subscription_id: s.id,
                bundle_id: s.bundle_id,
                from: s.valid_from,
                until: s.valid_until,
                assigned_on: wire::time::local_date(l.assigned_at),
            })
        })
        .collect())
}

/// The licence states of many users at once (a page of the user list): two statements (one
/// when none of them holds a licence).
pub(crate) async fn statuses(
    conn: &impl ConnectionTrait,
    user_ids: &[i32],
    today: NaiveDate,
) -> Result<std::collections::HashMap<i32, Status>> {
    let held = licence::Entity::find()
        .filter(licence::Column::UserId.is_in(user_ids.iter().copied()))
        .all(conn)
        .await?;
    let mut ids: Vec<i32> = held.iter().map(|l| l.subscription_id).collect();
    ids.sort_unstable();
    ids.dedup();
    // No licence held on the page: no subscription to read.
    let subscriptions = if ids.is_empty() {
        Vec::new()
    } else {
        subscription::Entity::find()
            .filter(subscription::Column::Id.is_in(ids))
            .all(conn)
            .await?
    };
    let mut periods: std::collections::HashMap<i32, Vec<Period>> = Default::default();
    for l in &held {
        if let Some(s) = subscriptions.iter().find(|s| s.id == l.subscription_id) {
            periods.entry(l.user_id).or_default().push(Period {
                subscription_id: s.id,
                bundle_id: s.bundle_id,
                from: s.valid_from,
                until: s.valid_until,
                assigned_on: wire::time::local_date(l.assigned_at),
            });
        }
    }
    Ok(user_ids
        .iter()
        .map(|id| {
            let held = periods.get(id).map(Vec::as_slice).unwrap_or_default();
            (*id, Status::of(held, today))
        })
        .collect())
}

/// A user's licence state: their own, or as an administrator who may see licences there.
pub async fn status_of(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    today: NaiveDate,
) -> Result<Status> {
    let (target, site) = resolve(db, user).await?;
    if principal.user_id() != Some(target.id) {
        access::require(principal, Operation::ViewLicences, &site.scope)?;
    }
    Ok(Status::of(&periods(db.conn(), target.id).await?, today))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    fn period(from: &str, until: &str, assigned: &str) -> Period {
        Period {
            subscription_id: 1,
            bundle_id: None,
            from: day(from),
            until: day(until),
            assigned_on: day(assigned),
        }
    }

    #[test]
    fn should_say_each_state() {
        let today = day("2026-11-23");
        let year = period("2026-09-01", "2027-08-31", "2026-10-01");
        let next = period("2027-09-01", "2028-08-31", "2026-11-01");
        let last = period("2025-09-01", "2026-08-31", "2025-09-01");
        assert_eq!(Status::of(&[], today), Status::None);
        assert_eq!(
            Status::of(&[year], today),
            Status::ActiveSince(day("2026-10-01"))
        );
        assert_eq!(
            Status::of(&[next], today),
            Status::ActiveFrom(day("2027-09-01"))
        );
        assert_eq!(
            Status::of(&[last], today),
            Status::ExpiredSince(day("2026-09-01"))
        );
        // A renewal: valid now wins over the coming one; expired and coming: coming.
        assert_eq!(
            Status::of(&[next, year], today),
            Status::ActiveSince(day("2026-10-01"))
        );
        assert_eq!(
            Status::of(&[last, next], today),
            Status::ActiveFrom(day("2027-09-01"))
        );
        // The last day counts; the day after, it has expired.
        assert!(Status::of(&[year], day("2027-08-31")).is_valid());
        assert_eq!(
            Status::of(&[year], day("2027-09-01")),
            Status::ExpiredSince(day("2027-09-01"))
        );
    }
}
