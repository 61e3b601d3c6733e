//! Administrators assign a free licence to a user, or take their current one away.
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::claim::{take_free, Taker};
use super::status::{periods, Status};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{licence, subscription};
use crate::error::{Code, Error, Result};
use crate::users::{self, Target};
use crate::{Db, Principal};

/// Assigns a free licence to `user` (nothing happens when theirs is valid already).
pub async fn assign(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    today: NaiveDate,
) -> Result<Status> {
    let Target { user: target, .. } =
        users::target(db, principal, Operation::AssignLicence, user).await?;
    let held = periods(db.conn(), target.id).await?;
    let status = Status::of(&held, today);
    if status.is_valid() {
        return Ok(status);
    }
    take_free(
        db,
        Taker::Principal(principal),
        &target,
        &held,
        today,
        Action::LicenceAssign,
    )
    .await?
    .ok_or(Error::Refused(Code::NoFreeLicence))
}

/// Takes away `user`'s current and coming licences (expired ones stay as history); their
/// seats are free again. Not one's own.
pub async fn unassign(db: &Db, principal: &Principal, user: Uuid, today: NaiveDate) -> Result<()> {
    let Target { user: target, site } =
        users::target(db, principal, Operation::AssignLicence, user).await?;
    access::require_not_self(principal, target.id, Code::CannotUnassignOwnLicence)?;
    let current: Vec<i32> = periods(db.conn(), target.id)
        .await?
        .iter()
        .filter(|p| p.until >= today)
        .map(|p| p.subscription_id)
        .collect();
    if current.is_empty() {
        return Err(Error::NotFound);
    }
    let serials: Vec<String> = subscription::Entity::find()
        .filter(subscription::Column::Id.is_in(current.clone()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| s.serial)
        .collect();
    let txn = db.write().await?;
    licence::Entity::delete_many()
        .filter(licence::Column::UserId.eq(target.id))
        .filter(licence::Column::SubscriptionId.is_in(current.clone()))
        .exec(&*txn)
        .await?;
    subscription::Entity::update_many()
        .col_expr(
            subscription::Column::Assigned,
            Expr::col(subscription::Column::Assigned).sub(1),
        )
        .filter(subscription::Column::Id.is_in(current))
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::LicenceUnassign,
            target: crate::audit::Target::user(&target),
            site: &site.site,
            changes: vec![Change::new("subscription", serials.join(", "), "")],
        },
    )
    .await?;
    txn.commit().await
}
