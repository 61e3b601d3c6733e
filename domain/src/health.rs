//! What an operator's probes and scrapes read: whether the database answers with the schema
//! this build expects, and the state of the durable work (jobs by kind, running imports).
use chrono::Utc;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QuerySelect, Statement,
};

use crate::entities::{import_run, job};
use crate::error::Result;
use crate::Db;

/// Why the server is not ready, when it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// The database did not answer.
    Database,
    /// Migrations this build knows have not been applied (`licentia migrate`).
    PendingMigrations(usize),
}

/// The database answers, and every migration this build knows has been applied.
pub async fn database(db: &Db) -> std::result::Result<(), NotReady> {
    let probe = Statement::from_string(db.backend(), "SELECT 1");
    if db.conn().query_one_raw(probe).await.is_err() {
        return Err(NotReady::Database);
    }
    match Migrator::get_pending_migrations(db.conn()).await {
        Ok(pending) if pending.is_empty() => Ok(()),
        Ok(pending) => Err(NotReady::PendingMigrations(pending.len())),
        Err(_) => Err(NotReady::Database),
    }
}

/// Jobs of one kind and status: how many, and how long the oldest has been due.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueDepth {
    pub kind: String,
    pub status: String,
    pub count: i64,
    /// Seconds since the oldest of them became due (0 when none is due yet).
    pub oldest_due_seconds: f64,
}

/// The job table by kind and status (done jobs are not counted: they only accumulate).
pub async fn queues(db: &Db) -> Result<Vec<QueueDepth>> {
    let rows: Vec<(String, String, i64, Option<chrono::DateTime<Utc>>)> = job::Entity::find()
        .select_only()
        .column(job::Column::Kind)
        .column(job::Column::Status)
        .column_as(Expr::col(job::Column::Id).count(), "count")
        .column_as(Expr::col(job::Column::RunAfter).min(), "oldest")
        .filter(job::Column::Status.ne(crate::jobs::DONE))
        .group_by(job::Column::Kind)
        .group_by(job::Column::Status)
        .into_tuple()
        .all(db.conn())
        .await?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|(kind, status, count, oldest)| QueueDepth {
            kind,
            status,
            count,
            oldest_due_seconds: oldest
                .map(|at| std::cmp::Ord::max((now - at).num_milliseconds(), 0) as f64 / 1000.0)
                .unwrap_or(0.0),
        })
        .collect())
}

/// Rows of the imports that are running now: processed and in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportProgress {
    pub running: i64,
    pub processed_rows: i64,
    pub total_rows: i64,
}

pub async fn imports(db: &Db) -> Result<ImportProgress> {
    let running: Vec<(i32, i32)> = import_run::Entity::find()
        .select_only()
        .column(import_run::Column::Processed)
        .column(import_run::Column::TotalRows)
        .filter(import_run::Column::FinishedAt.is_null())
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(ImportProgress {
        running: running.len() as i64,
        processed_rows: running.iter().map(|r| i64::from(r.0)).sum(),
        total_rows: running.iter().map(|r| i64::from(r.1)).sum(),
    })
}
