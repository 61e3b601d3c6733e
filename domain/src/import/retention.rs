//! Uploaded files are kept for a while after their run has ended (the result file is built
//! from them), then removed by a periodic job, together with the row results that only the
//! result file shows (the run page keeps its report: the counts and the rows in error).
//! Removing is idempotent, so any number of processes may queue and run the job.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};

use super::apply::ERROR;
use super::run::RUNNING;
use crate::entities::{import_file, import_result, import_run, job};
use crate::error::Result;
use crate::{jobs, Db};

/// The job kind that removes old uploads.
pub const CLEANUP_JOB_KIND: &str = "import.cleanup";

/// Days an uploaded file is kept after its run has ended, unless configured.
pub const RETENTION_DAYS: u32 = 30;

/// Files removed per transaction.
const CLEANUP_BATCH: u64 = 200;

/// The cleanup job's payload: how long files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanupJob {
    pub retention_days: u32,
}

/// Queues a cleanup unless one is already queued (every process's housekeeping asks; two
/// queued at once only means the second finds nothing left to do).
pub async fn schedule_cleanup(db: &Db, retention_days: u32) -> Result<bool> {
    let queued = job::Entity::find()
        .filter(job::Column::Kind.eq(CLEANUP_JOB_KIND))
        .filter(job::Column::Status.eq(jobs::QUEUED))
        .count(db.conn())
        .await?;
    if queued > 0 {
        return Ok(false);
    }
    let txn = db.write().await?;
    jobs::enqueue(&*txn, CLEANUP_JOB_KIND, &CleanupJob { retention_days }).await?;
    txn.commit().await?;
    Ok(true)
}

/// Removes the stored files of runs that ended more than `job.retention_days` before `now`,
/// and their results other than errors. Answers how many files were removed.
pub async fn remove_old_files(db: &Db, job: CleanupJob, now: DateTime<Utc>) -> Result<u64> {
    let cutoff = now - Duration::days(i64::from(job.retention_days));
    let mut removed = 0;
    loop {
        let ended_before = Query::select()
            .column(import_run::Column::Id)
            .from(import_run::Entity)
            .and_where(Expr::col(import_run::Column::Status).ne(RUNNING))
            .and_where(Expr::col(import_run::Column::FinishedAt).lt(cutoff))
            .to_owned();
        let runs: Vec<i32> = import_file::Entity::find()
            .select_only()
            .column(import_file::Column::RunId)
            .filter(import_file::Column::RunId.in_subquery(ended_before))
            .limit(CLEANUP_BATCH)
            .into_tuple()
            .all(db.conn())
            .await?;
        if runs.is_empty() {
            return Ok(removed);
        }
        let txn = db.write().await?;
        let gone = import_file::Entity::delete_many()
            .filter(import_file::Column::RunId.is_in(runs.clone()))
            .exec(&*txn)
            .await?;
        import_result::Entity::delete_many()
            .filter(import_result::Column::RunId.is_in(runs))
            .filter(import_result::Column::Outcome.ne(ERROR))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        removed += gone.rows_affected;
    }
}
