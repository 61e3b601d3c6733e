//! Starting an import and following it: the uploaded file is stored with a run (status,
//! counts, checkpoint) and a job, in one transaction; the job applies it in the background
//! ([`super::apply`]). The page polls [`status`]; the administrator may cancel.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::columns::Column;
use super::preview::{Mode, Options};
use super::table::Limits;
use crate::access::{self, Operation};
use crate::entities::{import_file, import_result, import_run};
use crate::error::{Code, Error, Result};
use crate::{jobs, sites, Db, Principal};

/// The job kind that applies an import.
pub const JOB_KIND: &str = "import";

pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const CANCELLED: &str = "cancelled";
pub const FAILED: &str = "failed";

/// The job's payload: which run to apply.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportJob {
    pub run: i32,
}

impl Mode {
    pub fn code(self) -> &'static str {
        match self {
            Mode::AddOnly => "add",
            Mode::AddAndUpdate => "add_update",
            Mode::UpdateOnly => "update",
        }
    }

    pub fn parse(code: &str) -> Option<Mode> {
        [Mode::AddOnly, Mode::AddAndUpdate, Mode::UpdateOnly]
            .into_iter()
            .find(|m| m.code() == code)
    }
}

/// One problem of a row, as stored with its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowMessage {
    pub column: Option<String>,
    /// Stored as its wire text; a code unknown to this build reads as `internal`.
    pub code: Code,
    pub details: Vec<String>,
}

impl RowMessage {
    pub fn column(&self) -> Option<Column> {
        let key = self.column.as_deref()?;
        Column::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// Where a run stands, for the progress bar and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStatus {
    pub public_id: Uuid,
    pub file_name: String,
    pub site_public_id: Uuid,
    pub site_name: String,
    pub status: wire::RunState,
    pub cancel_requested: bool,
    pub total_rows: i32,
    pub processed: i32,
    pub added: i32,
    pub updated: i32,
    pub deleted: i32,
    pub errors: i32,
    pub created_at: chrono::DateTime<Utc>,
    pub finished_at: Option<chrono::DateTime<Utc>>,
    /// The uploaded file is still stored (the result file can be built); removed after the
    /// retention period.
    pub file_kept: bool,
}

/// The result of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowResult {
    pub row: i32,
    pub outcome: String,
    pub messages: Vec<RowMessage>,
}

/// An uploaded file and how to apply it.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub content: Vec<u8>,
    pub options: Options,
    /// The language of the report mail.
    pub locale: String,
    /// A OneRoster export's role for teachers on their classes (a role's public id).
    pub teacher_role: Option<Uuid>,
}

/// Stores the file and queues its application. The file is read and parsed once here so that
/// an unreadable file is refused at once; the rows are checked again, batch by batch, when
/// they are applied.
pub async fn start(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    upload: Upload,
    limits: Limits,
) -> Result<Uuid> {
    let Upload {
        file_name,
        content,
        options,
        locale,
        teacher_role,
    } = upload;
    let target = sites::resolve(db, site).await?;
    access::require(principal, Operation::ImportUsers, &target.scope)?;
    let started_by = principal.user_id().ok_or(Error::Unauthenticated)?;
    // A OneRoster export is planned at once: an export that cannot be read, a role that
    // cannot be given or seats that are short refuse it before it is stored.
    let (total, mode, teacher_role_id) = if super::oneroster::is_roster(&content) {
        let roster = super::oneroster::read_off_thread(&content, limits).await?;
        let roster_options = super::oneroster::options_of(db, teacher_role).await?;
        let plan = super::oneroster::plan(db, principal, site, &roster, roster_options).await?;
        if !plan.shortages.is_empty() {
            return Err(Error::Refused(Code::NoFreeSeat));
        }
        (
            roster.users.len(),
            super::oneroster::MODE,
            roster_options.teacher_role,
        )
    } else {
        let parsed =
            super::parse_upload(db, target.site.id, &content, limits, options.sync).await?;
        (
            super::apply::units(&parsed).len(),
            options.mode.code(),
            None,
        )
    };

    let public_id = Uuid::new_v4();
    let txn = db.write().await?;
    let run = import_run::ActiveModel {
        public_id: Set(public_id),
        site_id: Set(target.site.id),
        started_by: Set(started_by),
        locale: Set(locale.chars().take(5).collect()),
        file_name: Set(file_name.chars().take(255).collect()),
        mode: Set(mode.to_string()),
        teacher_role_id: Set(teacher_role_id),
        allow_deletes: Set(options.allow_deletes),
        sync: Set(options.sync),
        status: Set(RUNNING.to_string()),
        cancel_requested: Set(false),
        total_rows: Set(i32::try_from(total).unwrap_or(i32::MAX)),
        checkpoint: Set(0),
        processed: Set(0),
        added: Set(0),
        updated: Set(0),
        deleted: Set(0),
        errors: Set(0),
        failure: Set(None),
        created_at: Set(Utc::now()),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    import_file::ActiveModel {
        run_id: Set(run.id),
        content: Set(content),
    }
    .insert(&*txn)
    .await?;
    jobs::enqueue(&*txn, JOB_KIND, &ImportJob { run: run.id }).await?;
    txn.commit().await?;
    Ok(public_id)
}

/// A run the principal may see (they may import into its site).
async fn visible_run(db: &Db, principal: &Principal, run: Uuid) -> Result<import_run::Model> {
    let found = import_run::Entity::find()
        .filter(import_run::Column::PublicId.eq(run))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = sites::resolve_by_id(db, found.site_id).await?;
    access::require(principal, Operation::ImportUsers, &site.scope)?;
    Ok(found)
}

pub async fn status(db: &Db, principal: &Principal, run: Uuid) -> Result<RunStatus> {
    let found = visible_run(db, principal, run).await?;
    let site = sites::resolve_by_id(db, found.site_id).await?;
    let file_kept = import_file::Entity::find()
        .filter(import_file::Column::RunId.eq(found.id))
        .count(db.conn())
        .await?
        > 0;
    Ok(RunStatus {
        file_kept,
        public_id: found.public_id,
        file_name: found.file_name,
        site_public_id: site.site.public_id,
        site_name: site.site.name,
        status: wire::RunState::parse(&found.status),
        cancel_requested: found.cancel_requested,
        total_rows: found.total_rows,
        processed: found.processed,
        added: found.added,
        updated: found.updated,
        deleted: found.deleted,
        errors: found.errors,
        created_at: found.created_at,
        finished_at: found.finished_at,
    })
}

/// Asks the job to stop after the batch it is applying; rows already applied stay.
pub async fn cancel(db: &Db, principal: &Principal, run: Uuid) -> Result<()> {
    let found = visible_run(db, principal, run).await?;
    let txn = db.write().await?;
    let asked = import_run::Entity::update_many()
        .col_expr(
            import_run::Column::CancelRequested,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(import_run::Column::Id.eq(found.id))
        .filter(import_run::Column::Status.eq(RUNNING))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    if asked.rows_affected == 0 {
        return Err(Error::Refused(Code::ImportNotRunning));
    }
    Ok(())
}

/// The rows' results (only those with a problem when `only_errors`), in file order.
pub async fn results(
    db: &Db,
    principal: &Principal,
    run: Uuid,
    only_errors: bool,
    limit: Option<u64>,
) -> Result<Vec<RowResult>> {
    let found = visible_run(db, principal, run).await?;
    let mut query = import_result::Entity::find()
        .filter(import_result::Column::RunId.eq(found.id))
        .order_by_asc(import_result::Column::RowNo)
        .limit(limit);
    if only_errors {
        query = query.filter(import_result::Column::Outcome.eq(super::apply::ERROR));
    }
    Ok(query
        .all(db.conn())
        .await?
        .into_iter()
        .map(|r| RowResult {
            row: r.row_no,
            outcome: r.outcome,
            messages: serde_json::from_str(&r.messages).unwrap_or_default(),
        })
        .collect())
}

/// The uploaded file and every row's result, for the downloadable result file.
pub async fn file_and_results(
    db: &Db,
    principal: &Principal,
    run: Uuid,
) -> Result<(String, Vec<u8>, Vec<RowResult>)> {
    let found = visible_run(db, principal, run).await?;
    // Removed after the retention period: say so rather than "not found".
    let file = import_file::Entity::find_by_id(found.id)
        .one(db.conn())
        .await?
        .ok_or(Error::Refused(Code::ImportFileRemoved))?;
    let rows = results(db, principal, run, false, None).await?;
    Ok((found.file_name, file.content, rows))
}

/// The newest runs on a site the principal may import into, for the import page.
pub async fn recent(db: &Db, principal: &Principal, site: Uuid) -> Result<Vec<RunStatus>> {
    let target = sites::resolve(db, site).await?;
    access::require(principal, Operation::ImportUsers, &target.scope)?;
    let runs = import_run::Entity::find()
        .filter(import_run::Column::SiteId.eq(target.site.id))
        .order_by_desc(import_run::Column::Id)
        .limit(10)
        .all(db.conn())
        .await?;
    let mut found = Vec::with_capacity(runs.len());
    for run in runs {
        found.push(status(db, principal, run.public_id).await?);
    }
    Ok(found)
}
