//! A rollover as a job: started (the mapping stored, planned once to refuse a shortage at
//! once), applied by a worker in one transaction (planned again under the rights of who
//! started it; the sites locked; every move recorded and journaled; the counters counted again
//! and checked), and undone within a day: every user still where the rollover put them goes
//! back, with the expiry they had.
use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wire::{NextClass, RolloverState};

use super::plan::{plan, RolloverOptions};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{
    licence, rollover, rollover_archive, rollover_licence, rollover_move, site, subscription, user,
};
use crate::error::{Code, Error, Result};
use crate::{jobs, sites, Db, Principal};

pub const JOB_KIND: &str = "rollover";
/// How long a rollover may be undone after it ended.
pub const UNDO_WINDOW: Duration = Duration::hours(24);

/// The job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RolloverJob {
    pub rollover: i32,
}

/// A rollover as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloverRun {
    pub id: Uuid,
    pub state: RolloverState,
    pub moved: i32,
    pub leavers: i32,
    pub skipped: i32,
    pub renewed: i32,
    pub failure: Option<String>,
    pub leave_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// Until when it may be undone (None: it may not, or no more).
    pub undo_until: Option<DateTime<Utc>>,
}

fn run_of(r: rollover::Model, now: DateTime<Utc>) -> RolloverRun {
    let state = RolloverState::parse(&r.status);
    let undo_until = r
        .finished_at
        .map(|at| at + UNDO_WINDOW)
        .filter(|until| state == RolloverState::Done && *until > now);
    RolloverRun {
        id: r.public_id,
        state,
        moved: r.moved,
        leavers: r.leavers,
        skipped: r.skipped,
        renewed: r.renewed,
        failure: r.failure,
        leave_on: r.leave_on,
        created_at: r.created_at,
        undo_until,
    }
}

/// Stores the rollover and queues it. A shortage refuses it at once.
pub async fn start(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    mapping: Vec<(Uuid, NextClass)>,
    options: RolloverOptions,
    today: NaiveDate,
) -> Result<Uuid> {
    let planned = plan(db, principal, site, &mapping, options, today).await?;
    if !planned.shortages.is_empty() {
        return Err(Error::Refused(Code::NoFreeSeat));
    }
    let started_by = principal.user_id().ok_or(Error::Unauthenticated)?;
    let public_id = Uuid::new_v4();
    let txn = db.write().await?;
    let made = rollover::ActiveModel {
        public_id: Set(public_id),
        site_id: Set(planned.site.site.id),
        started_by: Set(started_by),
        mapping: Set(serde_json::to_string(&mapping).map_err(|e| Error::Internal(e.to_string()))?),
        leave_on: Set(options.leave_on),
        status: Set(RolloverState::Running.as_str().to_string()),
        moved: Set(0),
        leavers: Set(0),
        skipped: Set(0),
        failure: Set(None),
        created_at: Set(Utc::now()),
        finished_at: Set(None),
        undone_at: Set(None),
        archive: Set(options.archive),
        renew: Set(options.renew),
        renewed: Set(0),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    jobs::enqueue(&*txn, JOB_KIND, &RolloverJob { rollover: made.id }).await?;
    txn.commit().await?;
    Ok(public_id)
}

async fn end(db: &Db, id: i32, state: RolloverState, failure: Option<&str>) -> Result<()> {
    rollover::Entity::update_many()
        .col_expr(rollover::Column::Status, Expr::value(state.as_str()))
        .col_expr(
            rollover::Column::Failure,
            Expr::value(failure.map(str::to_string)),
        )
        .col_expr(rollover::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .filter(rollover::Column::Id.eq(id))
        .filter(rollover::Column::Status.eq(RolloverState::Running.as_str()))
        .exec(&*db.autocommit().await)
        .await?;
    Ok(())
}

/// Applies a queued rollover (the worker's part); a refusal fails the rollover, whole.
pub async fn run_job(db: &Db, job: RolloverJob, today: NaiveDate) -> Result<()> {
    let Some(found) = rollover::Entity::find_by_id(job.rollover)
        .one(db.conn())
        .await?
        .filter(|r| r.status == RolloverState::Running.as_str())
    else {
        return Ok(());
    };
    let mapping: Vec<(Uuid, NextClass)> = serde_json::from_str(&found.mapping)
        .map_err(|e| Error::Internal(format!("rollover mapping: {e}")))?;
    let principal = Principal::load(db, found.started_by).await?;
    let site = sites::public_id_of(db, found.site_id).await?;
    let options = RolloverOptions {
        leave_on: found.leave_on,
        archive: found.archive,
        renew: found.renew,
    };
    let outcome = match plan(db, &principal, site, &mapping, options, today).await {
        Ok(planned) if !planned.shortages.is_empty() => Err(Error::Refused(Code::NoFreeSeat)),
        Ok(planned) => apply(db, &principal, &found, &planned, today).await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(()) => Ok(()),
        Err(
            err @ (Error::Forbidden
            | Error::NotFound
            | Error::Unauthenticated
            | Error::Refused(_)
            | Error::RefusedAt(..)
            | Error::Validation { .. }),
        ) => {
            end(
                db,
                found.id,
                RolloverState::Failed,
                Some(err.code().as_str()),
            )
            .await
        }
        Err(err) => Err(err),
    }
}

async fn apply(
    db: &Db,
    principal: &Principal,
    found: &rollover::Model,
    planned: &super::plan::RolloverPlan,
    today: NaiveDate,
) -> Result<()> {
    let txn = db.write().await?;
    let mut touched: BTreeSet<i32> = BTreeSet::new();
    for m in &planned.moves {
        touched.insert(m.user.site_id);
        touched.insert(m.to);
    }
    // A site whose limit grows changes its parent's used seats: the parent is counted too.
    let mut grown: Vec<i32> = planned.limits.keys().copied().collect();
    grown.extend(planned.archived.iter().map(|(id, _)| *id));
    touched.extend(grown.iter().copied());
    touched.extend(sites::parents_of(&*txn, &grown).await?);
    for id in &touched {
        sites::lock_site(&*txn, *id).await?;
    }
    for (id, limit) in &planned.limits {
        site::Entity::update_many()
            .col_expr(site::Column::SeatLimit, Expr::value(*limit))
            .filter(site::Column::Id.eq(*id))
            .exec(&*txn)
            .await?;
    }
    let archived_on = wire::time::today();
    for (id, limit) in &planned.archived {
        site::Entity::update_many()
            .col_expr(site::Column::SeatLimit, Expr::value(0))
            .col_expr(site::Column::ArchivedOn, Expr::value(Some(archived_on)))
            .filter(site::Column::Id.eq(*id))
            .exec(&*txn)
            .await?;
        rollover_archive::ActiveModel {
            rollover_id: Set(found.id),
            site_id: Set(*id),
            seat_limit_before: Set(*limit),
            ..Default::default()
        }
        .insert(&*txn)
        .await?;
    }
    let renewed = renew(&*txn, principal, found, planned, today).await?;
    let names: std::collections::HashMap<i32, site::Model> = site::Entity::find()
        .filter(site::Column::Id.is_in(touched.iter().copied().collect::<Vec<_>>()))
        .all(&*txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut moves = Vec::with_capacity(planned.moves.len());
    let mut events = Vec::with_capacity(planned.moves.len());
    for m in &planned.moves {
        user::Entity::update_many()
            .col_expr(user::Column::SiteId, Expr::value(m.to))
            .col_expr(user::Column::ExpiresOn, Expr::value(m.expires_on))
            .filter(user::Column::Id.eq(m.user.id))
            .exec(&*txn)
            .await?;
        moves.push(rollover_move::ActiveModel {
            rollover_id: Set(found.id),
            user_id: Set(m.user.id),
            from_site_id: Set(m.user.site_id),
            to_site_id: Set(m.to),
            expires_before: Set(m.user.expires_on),
            expires_after: Set(m.expires_on),
            ..Default::default()
        });
        let (Some(from), Some(to)) = (names.get(&m.user.site_id), names.get(&m.to)) else {
            continue;
        };
        let mut changes = vec![Change::sites("site", Some(from), to)];
        if m.expires_on != m.user.expires_on {
            let text = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            changes.push(Change::new(
                "expires_on",
                text(m.user.expires_on),
                text(m.expires_on),
            ));
        }
        events.push(Event {
            action: Action::UserUpdate,
            target: crate::audit::Target::user(&m.user),
            site: to,
            changes,
        });
    }
    audit::record_many(&*txn, principal, events).await?;
    for chunk in moves.chunks(500) {
        rollover_move::Entity::insert_many(chunk.to_vec())
            .exec(&*txn)
            .await?;
    }
    for id in &touched {
        sites::recount(&*txn, *id).await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::RolloverApply,
            target: planned.site.site.name.clone().into(),
            site: &planned.site.site,
            changes: vec![
                Change::set("users", planned.moves.len()),
                Change::set("expires_on", found.leave_on),
            ],
        },
    )
    .await?;
    let as_i32 = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    rollover::Entity::update_many()
        .col_expr(
            rollover::Column::Status,
            Expr::value(RolloverState::Done.as_str()),
        )
        .col_expr(
            rollover::Column::Moved,
            Expr::value(as_i32(planned.moves.len() - planned.leavers)),
        )
        .col_expr(
            rollover::Column::Leavers,
            Expr::value(as_i32(planned.leavers)),
        )
        .col_expr(
            rollover::Column::Skipped,
            Expr::value(as_i32(planned.skipped.len())),
        )
        .col_expr(rollover::Column::Renewed, Expr::value(as_i32(renewed)))
        .col_expr(rollover::Column::FinishedAt, Expr::value(Some(Utc::now())))
        .filter(rollover::Column::Id.eq(found.id))
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// Gives each pupil to renew a licence of the first subscription starting after today that
/// has a free seat (taken as any licence is: one conditional update); answers how many.
async fn renew(
    conn: &impl sea_orm::ConnectionTrait,
    principal: &Principal,
    found: &rollover::Model,
    planned: &super::plan::RolloverPlan,
    today: NaiveDate,
) -> Result<usize> {
    if planned.renewals.is_empty() {
        return Ok(0);
    }
    let root = planned.site.scope.root_id().ok_or(Error::NotFound)?;
    let upcoming = subscription::Entity::find()
        .filter(subscription::Column::SiteId.eq(root))
        .filter(subscription::Column::ValidFrom.gt(today))
        .order_by_asc(subscription::Column::ValidFrom)
        .all(conn)
        .await?;
    let labels: std::collections::HashMap<i32, String> = planned
        .moves
        .iter()
        .map(|m| (m.user.id, crate::users::user_label(&m.user)))
        .collect();
    let mut renewed = 0;
    for user_id in &planned.renewals {
        for next in &upcoming {
            let taken = subscription::Entity::update_many()
                .col_expr(
                    subscription::Column::Assigned,
                    Expr::col(subscription::Column::Assigned).add(1),
                )
                .filter(subscription::Column::Id.eq(next.id))
                .filter(
                    Expr::col(subscription::Column::Assigned)
                        .lt(Expr::col(subscription::Column::Seats)),
                )
                .exec(conn)
                .await?;
            if taken.rows_affected == 0 {
                continue;
            }
            let given = licence::ActiveModel {
                subscription_id: Set(next.id),
                user_id: Set(*user_id),
                assigned_at: Set(Utc::now()),
                group_id: Set(None),
                ..Default::default()
            }
            .insert(conn)
            .await?;
            rollover_licence::ActiveModel {
                rollover_id: Set(found.id),
                licence_id: Set(given.id),
                ..Default::default()
            }
            .insert(conn)
            .await?;
            audit::record(
                conn,
                principal,
                Event {
                    action: Action::LicenceAssign,
                    target: crate::audit::Target {
                        label: labels.get(user_id).cloned().unwrap_or_default(),
                        user: Some(*user_id),
                    },
                    site: &planned.site.site,
                    changes: vec![Change::set("subscription", &next.serial)],
                },
            )
            .await?;
            renewed += 1;
            break;
        }
    }
    Ok(renewed)
}

/// A rollover of a site the principal may roll over.
async fn visible(db: &Db, principal: &Principal, id: Uuid) -> Result<rollover::Model> {
    let found = rollover::Entity::find()
        .filter(rollover::Column::PublicId.eq(id))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = sites::resolve_by_id(db, found.site_id).await?;
    access::require(principal, Operation::EditUser, &site.scope)?;
    Ok(found)
}

pub async fn status(db: &Db, principal: &Principal, id: Uuid) -> Result<RolloverRun> {
    Ok(run_of(visible(db, principal, id).await?, Utc::now()))
}

/// The latest rollovers of a site, newest first.
pub async fn recent(db: &Db, principal: &Principal, site: Uuid) -> Result<Vec<RolloverRun>> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::EditUser, &resolved.scope)?;
    let now = Utc::now();
    Ok(rollover::Entity::find()
        .filter(rollover::Column::SiteId.eq(resolved.site.id))
        .order_by_desc(rollover::Column::CreatedAt)
        .limit(10)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|r| run_of(r, now))
        .collect())
}

/// Undoes a rollover within [`UNDO_WINDOW`] of its end: each user still where it put them,
/// with the expiry it set, goes back (the others are left alone: changed since). Refused as a
/// whole when a site would go over its limit. Answers how many went back.
pub async fn undo(db: &Db, principal: &Principal, id: Uuid, now: DateTime<Utc>) -> Result<usize> {
    let found = visible(db, principal, id).await?;
    let run = run_of(found.clone(), now);
    if run.undo_until.is_none() {
        return Err(Error::Refused(Code::RolloverNotUndoable));
    }
    let moves = rollover_move::Entity::find()
        .filter(rollover_move::Column::RolloverId.eq(found.id))
        .all(db.conn())
        .await?;
    let txn = db.write().await?;
    // Claimed first: a second undo (another process) finds it undone and stops.
    let claimed = rollover::Entity::update_many()
        .col_expr(
            rollover::Column::Status,
            Expr::value(RolloverState::Undone.as_str()),
        )
        .col_expr(rollover::Column::UndoneAt, Expr::value(Some(now)))
        .filter(rollover::Column::Id.eq(found.id))
        .filter(rollover::Column::Status.eq(RolloverState::Done.as_str()))
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(Error::Refused(Code::RolloverNotUndoable));
    }
    let archives = rollover_archive::Entity::find()
        .filter(rollover_archive::Column::RolloverId.eq(found.id))
        .all(&*txn)
        .await?;
    let mut touched: BTreeSet<i32> = BTreeSet::new();
    for m in &moves {
        touched.insert(m.from_site_id);
        touched.insert(m.to_site_id);
    }
    let archived: Vec<i32> = archives.iter().map(|a| a.site_id).collect();
    touched.extend(archived.iter().copied());
    touched.extend(sites::parents_of(&*txn, &archived).await?);
    for site_id in &touched {
        sites::lock_site(&*txn, *site_id).await?;
    }
    // Archived classes get their limit back (while still archived and without seats).
    for a in &archives {
        site::Entity::update_many()
            .col_expr(site::Column::SeatLimit, Expr::value(a.seat_limit_before))
            .col_expr(site::Column::ArchivedOn, Expr::value(None::<NaiveDate>))
            .filter(site::Column::Id.eq(a.site_id))
            .filter(site::Column::ArchivedOn.is_not_null())
            .filter(site::Column::SeatLimit.eq(0))
            .exec(&*txn)
            .await?;
    }
    // The licences it gave go back.
    let given = rollover_licence::Entity::find()
        .filter(rollover_licence::Column::RolloverId.eq(found.id))
        .all(&*txn)
        .await?;
    for g in &given {
        if let Some(held) = licence::Entity::find_by_id(g.licence_id).one(&*txn).await? {
            licence::Entity::delete_by_id(held.id).exec(&*txn).await?;
            subscription::Entity::update_many()
                .col_expr(
                    subscription::Column::Assigned,
                    Expr::col(subscription::Column::Assigned).sub(1),
                )
                .filter(subscription::Column::Id.eq(held.subscription_id))
                .exec(&*txn)
                .await?;
        }
    }
    let mut back = 0;
    for m in &moves {
        let reverted = user::Entity::update_many()
            .col_expr(user::Column::SiteId, Expr::value(m.from_site_id))
            .col_expr(user::Column::ExpiresOn, Expr::value(m.expires_before))
            .filter(user::Column::Id.eq(m.user_id))
            .filter(user::Column::SiteId.eq(m.to_site_id))
            .filter(match m.expires_after {
                Some(day) => user::Column::ExpiresOn.eq(day),
                None => user::Column::ExpiresOn.is_null(),
            })
            .exec(&*txn)
            .await?;
        back += usize::try_from(reverted.rows_affected).unwrap_or(0);
    }
    for site_id in &touched {
        sites::recount(&*txn, *site_id).await?;
    }
    let home = site::Entity::find_by_id(found.site_id)
        .one(&*txn)
        .await?
        .ok_or(Error::NotFound)?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::RolloverUndo,
            target: home.name.clone().into(),
            site: &home,
            changes: vec![Change::new("users", moves.len(), back)],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(back)
}
