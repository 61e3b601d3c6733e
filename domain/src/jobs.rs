//! The durable job table. Work that outlasts a request is queued here in the transaction that
//! causes it (a mail is only sent if the change it reports was committed), then claimed by a
//! worker of any server process with a lease, done, or retried later with back-off. A job
//! whose worker died is taken over once its lease has passed; queued jobs survive restarts.
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::Serialize;

use crate::entities::job;
use crate::error::{Error, Result};
use crate::Db;

pub const QUEUED: &str = wire::JobStatus::Queued.as_str();
pub const DONE: &str = wire::JobStatus::Done.as_str();
pub const FAILED: &str = wire::JobStatus::Failed.as_str();

/// How often and how patiently a kind of job is retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles with every further failure.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// After this many failed attempts the job is marked failed and left alone.
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(3600),
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempts + 1`, after `attempts` failures.
    pub fn delay(&self, attempts: i32) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(0);
        self.first_delay
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_delay)
    }
}

/// Queues a job inside the caller's transaction.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    kind: &str,
    payload: &impl Serialize,
) -> Result<i32> {
    let payload =
        serde_json::to_string(payload).map_err(|e| Error::Internal(format!("job payload: {e}")))?;
    let now = Utc::now();
    let inserted = job::ActiveModel {
        kind: Set(kind.to_string()),
        payload: Set(payload),
        status: Set(QUEUED.to_string()),
        attempts: Set(0),
        run_after: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(inserted.id)
}

/// Queues many jobs of one kind inside the caller's transaction (one statement per 500).
pub async fn enqueue_many(
    conn: &impl ConnectionTrait,
    kind: &str,
    payloads: Vec<String>,
) -> Result<()> {
    let now = Utc::now();
    let rows: Vec<job::ActiveModel> = payloads
        .into_iter()
        .map(|payload| job::ActiveModel {
            kind: Set(kind.to_string()),
            payload: Set(payload),
            status: Set(QUEUED.to_string()),
            attempts: Set(0),
            run_after: Set(now),
            locked_until: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        job::Entity::insert_many(chunk.to_vec()).exec(conn).await?;
    }
    Ok(())
}

/// Claims up to `limit` of the oldest due jobs of `kind` for `lease`, counting the attempt.
/// On PostgreSQL the due rows are read and locked in a transaction skipping rows another
/// worker is claiming at that moment (`FOR UPDATE SKIP LOCKED`), so concurrent workers take
/// different jobs rather than waiting for each other and coming back empty. (Not as one
/// `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: the planner may run such
/// a sub-select more than once, and with `SKIP LOCKED` each run picks other rows, so more
/// than `limit` are claimed.) SQLite has one writer at a time and runs an `IN` sub-select
/// once: there it is that one statement. The outer conditions are checked again on the row as
/// it is when updated, so a job claimed by another worker is left out.
pub async fn claim_many(
    db: &Db,
    kind: &str,
    lease: Duration,
    limit: u64,
) -> Result<Vec<job::Model>> {
    let now = Utc::now();
    let due = job::Entity::find()
        .select_only()
        .column(job::Column::Id)
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Status.eq(QUEUED))
        .filter(job::Column::RunAfter.lte(now))
        .filter(free_at(now))
        .order_by_asc(job::Column::RunAfter)
        .order_by_asc(job::Column::Id)
        .limit(limit);
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::TimeDelta::MAX);
    let claim = job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(until))
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).add(1),
        )
        .filter(job::Column::Status.eq(QUEUED))
        .filter(free_at(now));
    if db.backend() == sea_orm::DbBackend::Postgres {
        let txn = db.write_uncached().await?;
        let ids: Vec<i32> = due
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .into_tuple::<i32>()
            .all(&*txn)
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let claimed = claim
            .filter(job::Column::Id.is_in(ids))
            .exec_with_returning(&*txn)
            .await?;
        txn.commit().await?;
        return Ok(claimed);
    }
    let conn = db.autocommit().await;
    Ok(claim
        .filter(job::Column::Id.in_subquery(due.into_query()))
        .exec_with_returning(&*conn)
        .await?)
}

/// Marks claimed jobs done, in the caller's transaction.
pub async fn complete_in(conn: &impl ConnectionTrait, ids: Vec<i32>) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(DONE))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::FinishedAt, Expr::value(Utc::now()))
        .col_expr(job::Column::LastError, Expr::value(Option::<String>::None))
        .filter(job::Column::Id.is_in(ids))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes claimed jobs that are done and whose outcome is kept elsewhere (a webhook
/// delivery's row), in the caller's transaction: cheaper than marking them done, and nothing
/// is left behind to cull.
pub async fn remove_in(conn: &impl ConnectionTrait, ids: Vec<i32>) -> Result<()> {
    for chunk in ids.chunks(500) {
        job::Entity::delete_many()
            .filter(job::Column::Id.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// How long finished jobs are kept (for an operator looking into what happened).
pub const KEEP_FINISHED: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// Deletes the jobs that finished (done or given up) more than [`KEEP_FINISHED`] before `now`;
/// how many. Run by the hourly housekeeping, so the table holds the queue and a month of
/// history rather than every job since the start.
pub async fn forget_finished(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let conn = db.autocommit().await;
    let gone = job::Entity::delete_many()
        .filter(job::Column::Status.is_in([DONE, FAILED]))
        .filter(job::Column::FinishedAt.lt(now - KEEP_FINISHED))
        .exec(&*conn)
        .await?;
    Ok(gone.rows_affected)
}

/// Claims the oldest due job of `kind` for `lease`, counting the attempt. The claim is one
/// conditional UPDATE, so two workers (in one process or several) never hold the same job.
pub async fn claim(db: &Db, kind: &str, lease: Duration) -> Result<Option<job::Model>> {
    for _ in 0..5 {
        let now = Utc::now();
        let candidate = job::Entity::find()
            .select_only()
            .column(job::Column::Id)
            .filter(job::Column::Kind.eq(kind))
            .filter(job::Column::Status.eq(QUEUED))
            .filter(job::Column::RunAfter.lte(now))
            .filter(free_at(now))
            .order_by_asc(job::Column::RunAfter)
            .order_by_asc(job::Column::Id)
            .into_tuple::<i32>()
            .one(db.conn())
            .await?;
        let Some(id) = candidate else {
            return Ok(None);
        };
        let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::TimeDelta::MAX);
        let txn = db.write_uncached().await?;
        let claimed = job::Entity::update_many()
            .col_expr(job::Column::LockedUntil, Expr::value(until))
            .col_expr(
                job::Column::Attempts,
                Expr::col(job::Column::Attempts).add(1),
            )
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::Status.eq(QUEUED))
            .filter(free_at(now))
            .exec(&*txn)
            .await?;
        if claimed.rows_affected == 1 {
            let found = job::Entity::find_by_id(id).one(&*txn).await?;
            txn.commit().await?;
            return Ok(found);
        }
        // Another worker was quicker: look for the next one.
    }
    Ok(None)
}

fn free_at(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(job::Column::LockedUntil.is_null())
        .add(job::Column::LockedUntil.lt(now))
}

/// Marks a claimed job done, replacing its payload (e.g. without the secrets a mail carried).
pub async fn complete(db: &Db, id: i32, payload: Option<String>) -> Result<()> {
    let txn = db.write_uncached().await?;
    complete_in(&*txn, vec![id]).await?;
    if let Some(payload) = payload {
        job::Entity::update_many()
            .col_expr(job::Column::Payload, Expr::value(payload))
            .filter(job::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await
}

/// Gives a claimed job back at once, without counting the attempt (a worker that stops between
/// two steps): any process's worker may take it up where it was left.
pub async fn release(db: &Db, id: i32) -> Result<()> {
    let txn = db.write_uncached().await?;
    job::Entity::update_many()
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            job::Column::Attempts,
            Expr::col(job::Column::Attempts).sub(1),
        )
        .col_expr(job::Column::RunAfter, Expr::value(Utc::now()))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.eq(QUEUED))
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// Extends the lease of a job this worker holds (long jobs renew it as they progress, so a
/// crashed worker's job is taken over one lease after its last sign of life).
pub async fn renew(db: &Db, id: i32, lease: Duration) -> Result<()> {
    let until = Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::TimeDelta::MAX);
    let txn = db.write_uncached().await?;
    job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(until))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.eq(QUEUED))
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// Extends the leases of jobs this worker holds, in one statement (a batch still being worked
/// on when a third of its lease has passed).
pub async fn renew_many(db: &Db, ids: Vec<i32>, lease: Duration) -> Result<()> {
    let until = Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::TimeDelta::MAX);
    let conn = db.autocommit().await;
    job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(until))
        .filter(job::Column::Id.is_in(ids))
        .filter(job::Column::Status.eq(QUEUED))
        .exec(&*conn)
        .await?;
    Ok(())
}

/// Records a failed attempt: the job runs again after the policy's delay, or is marked failed
/// after the last attempt.
pub async fn fail(db: &Db, claimed: &job::Model, error: &str, policy: RetryPolicy) -> Result<()> {
    let txn = db.write_uncached().await?;
    fail_in(&*txn, claimed, error, policy).await?;
    txn.commit().await
}

/// [`fail`] in the caller's transaction; true when that was the last attempt.
pub async fn fail_in(
    conn: &impl ConnectionTrait,
    claimed: &job::Model,
    error: &str,
    policy: RetryPolicy,
) -> Result<bool> {
    let now = Utc::now();
    let last = claimed.attempts >= policy.max_attempts;
    let delay = chrono::Duration::from_std(policy.delay(claimed.attempts))
        .unwrap_or(chrono::TimeDelta::MAX);
    let error: String = error.chars().take(500).collect();
    job::Entity::update_many()
        .col_expr(
            job::Column::Status,
            Expr::value(if last { FAILED } else { QUEUED }),
        )
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::RunAfter, Expr::value(now + delay))
        .col_expr(job::Column::LastError, Expr::value(error))
        .col_expr(job::Column::FinishedAt, Expr::value(last.then_some(now)))
        .filter(job::Column::Id.eq(claimed.id))
        .exec(conn)
        .await?;
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_double_the_wait_up_to_the_maximum() {
        let policy = RetryPolicy {
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(3600),
            max_attempts: 12,
        };
        let waits: Vec<u64> = (1..=9).map(|a| policy.delay(a).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
