//! The counters above the user list: valid unused of total, upcoming, users without a licence.
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{licence, user};
use crate::error::Result;
use crate::{sites, Db, Principal};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Seats of the organisation's subscriptions valid today, and how many are not assigned.
    pub valid_total: i64,
    pub valid_unused: i64,
    /// Seats of subscriptions that start later.
    pub upcoming: i64,
    /// Users of the site (and its subsites) without a valid licence.
    pub without_licence: u64,
}

pub async fn counters(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    today: NaiveDate,
) -> Result<Counters> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ViewLicences, &resolved.scope)?;
    let Some(root) = resolved.scope.root_id() else {
        return Ok(Counters::default());
    };
    let held: Vec<_> = crate::subscriptions::of_root(db, root)
        .await?
        .into_iter()
        .filter(|s| s.valid_until >= today)
        .collect();
    let mut counters = Counters::default();
    for s in &held {
        if s.valid_from <= today {
            counters.valid_total += i64::from(s.seats);
            counters.valid_unused += i64::from(s.seats - s.assigned).max(0);
        } else {
            counters.upcoming += i64::from(s.seats);
        }
    }
    let valid_ids: Vec<i32> = held
        .iter()
        .filter(|s| s.valid_from <= today)
        .map(|s| s.id)
        .collect();
    let in_subtree = || user::Column::SiteId.in_subquery(sites::subtree([resolved.site.id]));
    // The users placed in the subtree from the sites' counters, not by reading every user.
    let users = crate::users::placed_in(db, resolved.site.id).await?;
    let licensed = licence::Entity::find()
        .select_only()
        .column(licence::Column::UserId)
        .distinct()
        .filter(licence::Column::SubscriptionId.is_in(valid_ids))
        .filter(
            licence::Column::UserId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(in_subtree())
                    .to_owned(),
            ),
        )
        .count(db.conn())
        .await?;
    counters.without_licence = users.saturating_sub(licensed);
    Ok(counters)
}
