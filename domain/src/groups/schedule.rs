//! When groups are recomputed: hourly, nightly (at 02:00 UTC) or only by hand. Due groups are
//! queued as jobs by the server's housekeeping; "run now" queues one at once.
use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::recompute::{recompute_unchecked, RunOptions, RunReport};
use crate::access::{self, Operation};
use crate::entities::{dynamic_group, job};
use crate::error::{Code, Error, Result};
use crate::{jobs, sites, Db, Principal};

pub const JOB_KIND: &str = "groups.recompute";

/// The job's payload: the group's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupJob {
    pub group: i32,
}

/// When a group is computed again (the wire's own: pages match on it).
pub use wire::Schedule;

/// The schedule named `raw` (empty: nightly), or why it is none.
pub fn parse(raw: &str) -> Result<Schedule> {
    match raw.trim() {
        "" => Ok(Schedule::Nightly),
        name => Schedule::parse(name).ok_or(Error::invalid("schedule", Code::GroupScheduleInvalid)),
    }
}

/// When a schedule runs next.
pub trait NextRun {
    fn next_after(self, now: DateTime<Utc>) -> Option<DateTime<Utc>>;
}

impl NextRun for Schedule {
    /// The next run after `now`: the next full hour, the next 02:00 UTC, or none.
    fn next_after(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Manual => None,
            Schedule::Hourly => {
                let hour = now.with_minute(0)?.with_second(0)?.with_nanosecond(0)?;
                Some(hour + Duration::hours(1))
            }
            Schedule::Nightly => {
                let two = NaiveTime::from_hms_opt(2, 0, 0)?;
                #[allow(clippy::disallowed_methods)] // 02:00 UTC, on purpose
                let today = now.date_naive().and_time(two).and_utc();
                Some(if today > now {
                    today
                } else {
                    today + Duration::days(1)
                })
            }
        }
    }
}

/// Queues a run of every active group whose time has come, and sets its next time. The
/// update is conditional, so several server processes queue each run once.
pub async fn enqueue_due(db: &Db, now: DateTime<Utc>) -> Result<usize> {
    let due = dynamic_group::Entity::find()
        .filter(dynamic_group::Column::Active.eq(true))
        .filter(dynamic_group::Column::NextRunAt.lte(now))
        .all(db.conn())
        .await?;
    let mut queued = 0;
    for group in due {
        let schedule = Schedule::parse(&group.schedule).unwrap_or_default();
        let txn = db.write().await?;
        let moved = dynamic_group::Entity::update_many()
            .col_expr(
                dynamic_group::Column::NextRunAt,
                Expr::value(schedule.next_after(now)),
            )
            .filter(dynamic_group::Column::Id.eq(group.id))
            .filter(dynamic_group::Column::NextRunAt.eq(group.next_run_at))
            .exec(&*txn)
            .await?;
        if moved.rows_affected == 1 {
            queue(&*txn, group.id).await?;
            queued += 1;
        }
        txn.commit().await?;
    }
    Ok(queued)
}

/// Queues a run of the group now (none is queued twice).
pub async fn run_now(db: &Db, principal: &Principal, group: Uuid) -> Result<()> {
    let found = dynamic_group::Entity::find()
        .filter(dynamic_group::Column::PublicId.eq(group))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = sites::resolve_by_id(db, found.site_id).await?;
    access::require(principal, Operation::ManageGroups, &site.scope)?;
    if !found.active {
        return Err(Error::Refused(Code::GroupInactive));
    }
    let txn = db.write().await?;
    queue(&*txn, found.id).await?;
    txn.commit().await
}

async fn queue(conn: &impl sea_orm::ConnectionTrait, group: i32) -> Result<()> {
    let payload = GroupJob { group };
    let text = serde_json::to_string(&payload)
        .map_err(|e| Error::Internal(format!("group job payload: {e}")))?;
    let waiting = job::Entity::find()
        .filter(job::Column::Kind.eq(JOB_KIND))
        .filter(job::Column::Status.eq(jobs::QUEUED))
        .filter(job::Column::Payload.eq(text))
        .filter(Condition::all().add(job::Column::Attempts.eq(0)))
        .one(conn)
        .await?;
    if waiting.is_none() {
        jobs::enqueue(conn, JOB_KIND, &payload).await?;
    }
    Ok(())
}

/// Runs a queued group job (the worker renews its lease after every batch).
pub async fn run_job<F, Fut>(db: &Db, payload: GroupJob, after_batch: F) -> Result<RunReport>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    recompute_unchecked(db, payload.group, RunOptions::default(), after_batch).await
}

/// Recomputes now every active group (or those named `name`) for the command line, in name
/// order; returns each group's name and report.
pub async fn run_unchecked(db: &Db, name: Option<&str>) -> Result<Vec<(String, RunReport)>> {
    let mut select = dynamic_group::Entity::find().filter(dynamic_group::Column::Active.eq(true));
    if let Some(name) = name {
        select = select.filter(dynamic_group::Column::Name.eq(name));
    }
    let groups = select
        .order_by_asc(dynamic_group::Column::Name)
        .all(db.conn())
        .await?;
    let mut reports = Vec::with_capacity(groups.len());
    for group in groups {
        let report =
            recompute_unchecked(db, group.id, RunOptions::default(), || async { Ok(()) }).await?;
        reports.push((group.name, report));
    }
    Ok(reports)
}
