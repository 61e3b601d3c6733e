//! Taking a free licence: at sign-in by the user, or by an administrator for them.
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::status::{periods, Period, Status};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{licence, subscription, user};
use crate::error::{Error, Result};
use crate::{sites, Db, Principal};

/// What a claim at sign-in comes to (the four cases of the Sociel manual).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The user already holds a valid licence.
    AlreadyValid(Status),
    /// A free licence was taken.
    Claimed(Status),
    /// None free now, but the user's own licence starts on this day.
    NotYetActive(NaiveDate),
    /// None free: the user asks their administrator (or orders, with the right).
    NoneFree,
}

impl Claim {
    /// What the overview tells once about this claim; nothing when the user already held a
    /// valid licence.
    pub fn outcome(self) -> Option<wire::ClaimOutcome> {
        match self {
            Claim::AlreadyValid(_) => None,
            Claim::Claimed(_) => Some(wire::ClaimOutcome::Claimed),
            Claim::NotYetActive(day) => Some(wire::ClaimOutcome::Upcoming(day)),
            Claim::NoneFree => Some(wire::ClaimOutcome::NoneFree),
        }
    }
}

/// The signed-in user claims a free licence of their organisation, if they need one.
pub async fn claim(db: &Db, principal: &Principal, today: NaiveDate) -> Result<Claim> {
    let user_id = principal.user_id().ok_or(Error::Unauthenticated)?;
    claim_as(db, Taker::Principal(principal), user_id, None, today).await
}

/// The claim at sign-in (with a password or a linked account), for the user whose row the
/// sign-in read and found usable: their principal is read only when a seat is taken, for the
/// journal. A sign-in that cannot claim still signs in: a failure is logged and answers
/// `None`.
pub async fn claim_at_sign_in(db: &Db, me: &user::Model, today: NaiveDate) -> Option<Claim> {
    claim_as(db, Taker::Themself, me.id, Some(me), today)
        .await
        .inspect_err(|err| tracing::error!(%err, "licence claim at sign-in"))
        .ok()
}

/// The claim of `user_id` (whose row is `me` when the caller read it already): the periods
/// first, the row only when no licence is valid.
async fn claim_as(
    db: &Db,
    taker: Taker<'_>,
    user_id: i32,
    me: Option<&user::Model>,
    today: NaiveDate,
) -> Result<Claim> {
    let held = periods(db.conn(), user_id).await?;
    let status = Status::of(&held, today);
    if status.is_valid() {
        return Ok(Claim::AlreadyValid(status));
    }
    let read;
    let me = match me {
        Some(me) => me,
        None => {
            read = user::Entity::find_by_id(user_id)
                .one(db.conn())
                .await?
                .ok_or(Error::Unauthenticated)?;
            &read
        }
    };
    if let Some(taken) = take_free(db, taker, me, &held, today, Action::LicenceClaim).await? {
        return Ok(Claim::Claimed(taken));
    }
    Ok(match status {
        Status::ActiveFrom(day) => Claim::NotYetActive(day),
        _ => Claim::NoneFree,
    })
}

/// Who takes a free licence: someone acting for the target, or the target themself at sign-in
/// (their principal read only when there is a seat to take, for the journal).
pub(crate) enum Taker<'a> {
    Principal(&'a Principal),
    Themself,
}

/// Gives `target` a licence of a subscription of their organisation that is valid today and
/// has a free seat (the one that lasts longest first) and that `held` (the target's periods)
/// does not hold already; none: `Ok(None)`. Journaled as `action`.
pub(crate) async fn take_free(
    db: &Db,
    taker: Taker<'_>,
    target: &user::Model,
    held: &[Period],
    today: NaiveDate,
    action: Action,
) -> Result<Option<Status>> {
    let site = sites::resolve_by_id(db, target.site_id).await?;
    let Some(root) = site.scope.root_id() else {
        return Ok(None);
    };
    let held: Vec<i32> = held.iter().map(|p| p.subscription_id).collect();
    let candidates = subscription::Entity::find()
        .filter(subscription::Column::SiteId.eq(root))
        .filter(subscription::Column::ValidFrom.lte(today))
        .filter(subscription::Column::ValidUntil.gte(today))
        .filter(
            Expr::col(subscription::Column::Assigned).lt(Expr::col(subscription::Column::Seats)),
        )
        .filter(subscription::Column::Id.is_not_in(held))
        .order_by_desc(subscription::Column::ValidUntil)
        .all(db.conn())
        .await?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let loaded;
    let principal = match taker {
        Taker::Principal(principal) => principal,
        Taker::Themself => {
            loaded = Principal::load(db, target.id).await?;
            if loaded.user_id() != Some(target.id) {
                return Ok(None);
            }
            &loaded
        }
    };
    for candidate in candidates {
        let txn = db.write().await?;
        // The seat is taken only if one is still free when this runs (row-locked on
        // PostgreSQL, serialised writers on SQLite): concurrent claims cannot overbook.
        let taken = subscription::Entity::update_many()
            .col_expr(
                subscription::Column::Assigned,
                Expr::col(subscription::Column::Assigned).add(1),
            )
            .filter(subscription::Column::Id.eq(candidate.id))
            .filter(
                Expr::col(subscription::Column::Assigned)
                    .lt(Expr::col(subscription::Column::Seats)),
            )
            .exec(&*txn)
            .await?;
        if taken.rows_affected == 0 {
            continue;
        }
        licence::ActiveModel {
            subscription_id: Set(candidate.id),
            user_id: Set(target.id),
            assigned_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
        audit::record(
            &*txn,
            principal,
            Event {
                action,
                target: crate::audit::Target::user(target),
                site: &site.site,
                changes: vec![Change::set("subscription", &candidate.serial)],
            },
        )
        .await?;
        txn.commit().await?;
        return Ok(Some(Status::of(
            &periods(db.conn(), target.id).await?,
            today,
        )));
    }
    Ok(None)
}
