//! Applying a started import, batch by batch, in the background. Each batch is checked again
//! against the database (a row that became invalid since the preview is reported, not fatal),
//! written in one transaction together with its rows' results and the run's checkpoint: a
//! server killed mid-run resumes after the last committed batch, without duplicating or
//! losing a row. Rights are those of the administrator who started it, checked per batch.
use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::columns::Columns;
use super::preview::{check, Mode, Options, Tree};
use super::rows::{ImportRow, Parsed, RowIssue};
use super::run::{RowMessage, CANCELLED, DONE, FAILED, RUNNING};
use super::table::Limits;
use super::write::{hash_passwords, BatchWriter, Outcomes};
use crate::entities::{import_file, import_result, import_run, site, user};
use crate::error::{Error, Result};
use crate::mail::{self, Template};
use crate::{Db, Principal};

pub const ADDED: &str = "added";
pub const UPDATED: &str = "updated";
pub const DELETED: &str = "deleted";
pub const ERROR: &str = "error";

/// Rows applied per transaction.
pub const BATCH: usize = 500;

/// Rows from which a finished import refreshes the planner's statistics.
const BULK: usize = 1_000;

/// One data row of the file: parsed, or with the problems found without the database.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    row: usize,
    parsed: Option<ImportRow>,
    issues: Vec<RowIssue>,
}

/// Every data row in file order.
pub(crate) fn units(parsed: &Parsed) -> Vec<Unit> {
    let mut by_row: BTreeMap<usize, Unit> = BTreeMap::new();
    for row in &parsed.rows {
        by_row.insert(
            row.row,
            Unit {
                row: row.row,
                parsed: Some(row.clone()),
                issues: Vec::new(),
            },
        );
    }
    for issue in &parsed.issues {
        let unit = by_row.entry(issue.row).or_insert_with(|| Unit {
            row: issue.row,
            parsed: None,
            issues: Vec::new(),
        });
        unit.parsed = None;
        unit.issues.push(issue.clone());
    }
    by_row.into_values().collect()
}

fn message(issue: &RowIssue) -> RowMessage {
    RowMessage {
        column: issue.column.map(|c| c.key().to_string()),
        code: issue.code,
        details: issue.details.clone(),
    }
}

/// A run being applied: the file parsed once, then applied batch by batch.
pub struct Applier {
    run_id: i32,
    /// A OneRoster export: applied in one step (see [`super::oneroster`]).
    roster: bool,
    site_public_id: Uuid,
    columns: Columns,
    units: Vec<Unit>,
    batch: usize,
    /// The importing site's tree, loaded at the first batch and kept while it holds (see
    /// [`Tree::holds_for`]).
    tree: Option<Tree>,
}

impl Applier {
    /// Loads a run that is still running; `None` when it has ended (or is gone).
    pub async fn load(db: &Db, run_id: i32, batch: usize) -> Result<Option<Applier>> {
        let Some(run) = import_run::Entity::find_by_id(run_id)
            .one(db.conn())
            .await?
            .filter(|r| r.status == RUNNING)
        else {
            return Ok(None);
        };
        let file = import_file::Entity::find_by_id(run_id)
            .one(db.conn())
            .await?
            .ok_or(Error::NotFound)?;
        let site = site::Entity::find_by_id(run.site_id)
            .one(db.conn())
            .await?
            .ok_or(Error::NotFound)?;
        if run.mode == super::oneroster::MODE {
            return Ok(Some(Applier {
                run_id,
                roster: true,
                site_public_id: site.public_id,
                columns: Columns::default(),
                units: Vec::new(),
                batch: 1,
                tree: None,
            }));
        }
        let limits = Limits {
            max_bytes: file.content.len(),
            max_rows: usize::MAX,
        };
        let parsed = super::parse_upload(db, site.id, &file.content, limits, run.sync).await?;
        Ok(Some(Applier {
            run_id,
            roster: false,
            site_public_id: site.public_id,
            units: units(&parsed),
            columns: parsed.columns,
            batch: batch.max(1),
            tree: None,
        }))
    }

    /// Applies the next batch, or ends the run (done or cancelled). False when it has ended.
    pub async fn step(&mut self, db: &Db) -> Result<bool> {
        let Some(run) = import_run::Entity::find_by_id(self.run_id)
            .one(db.conn())
            .await?
            .filter(|r| r.status == RUNNING)
        else {
            return Ok(false);
        };
        if run.cancel_requested {
            finish(db, &run, CANCELLED, None).await?;
            return Ok(false);
        }
        if self.roster {
            self.roster_step(db, &run).await?;
            return Ok(false);
        }
        let start = self
            .units
            .partition_point(|u| i32::try_from(u.row).unwrap_or(i32::MAX) <= run.checkpoint);
        if start >= self.units.len() {
            finish(db, &run, DONE, None).await?;
            if self.units.len() >= BULK {
                db.refresh_statistics().await;
            }
            return Ok(false);
        }
        let batch = &self.units[start..(start + self.batch).min(self.units.len())];
        let principal = Principal::load(db, run.started_by).await?;
        let options = Options {
            mode: Mode::parse(&run.mode).unwrap_or(Mode::AddOnly),
            allow_deletes: run.allow_deletes,
            sync: run.sync,
        };
        let parsed = Parsed {
            columns: self.columns.clone(),
            rows: batch.iter().filter_map(|u| u.parsed.clone()).collect(),
            issues: Vec::new(),
        };
        let checked = match checked(
            db,
            &mut self.tree,
            self.site_public_id,
            &principal,
            &parsed,
            options,
        )
        .await
        {
            Ok(checked) => checked,
            // The administrator lost the right to import here (or the site is gone).
            Err(err @ (Error::Forbidden | Error::NotFound | Error::Unauthenticated)) => {
                finish(db, &run, FAILED, Some(err.code().as_str())).await?;
                return Ok(false);
            }
            Err(err) => return Err(err),
        };

        let mut outcome: Outcomes = BTreeMap::new();
        for unit in batch.iter().filter(|u| u.parsed.is_none()) {
            outcome.insert(unit.row, (ERROR, unit.issues.iter().map(message).collect()));
        }
        for issue in &checked.issues {
            outcome
                .entry(issue.row)
                .or_insert((ERROR, Vec::new()))
                .1
                .push(message(issue));
        }
        let hashes = hash_passwords(&checked.planned).await?;

        let last_row = batch
            .last()
            .map_or(run.checkpoint, |u| i32::try_from(u.row).unwrap_or(i32::MAX));
        let txn = db.write().await?;
        // The batch is claimed first: a worker that applied it meanwhile (another process
        // resuming the same run) has moved the checkpoint, and this one stops here. On
        // PostgreSQL the row lock makes the second wait for the first's commit.
        let claimed = import_run::Entity::update_many()
            .col_expr(import_run::Column::Checkpoint, Expr::value(last_row))
            .col_expr(
                import_run::Column::Processed,
                Expr::col(import_run::Column::Processed)
                    .add(i32::try_from(batch.len()).unwrap_or(i32::MAX)),
            )
            .filter(import_run::Column::Id.eq(run.id))
            .filter(import_run::Column::Status.eq(RUNNING))
            .filter(import_run::Column::Checkpoint.eq(run.checkpoint))
            .exec(&*txn)
            .await?;
        if claimed.rows_affected != 1 {
            return Ok(true);
        }
        let mut writer = BatchWriter {
            conn: &*txn,
            principal: &principal,
            outcome: &mut outcome,
            hashes: &hashes,
            sites: HashMap::new(),
        };
        writer.add(&checked.planned).await?;
        writer.update_or_delete(&checked.planned).await?;

        let count = |wanted: &str| {
            let n = outcome.values().filter(|(o, _)| *o == wanted).count();
            i32::try_from(n).unwrap_or(i32::MAX)
        };
        let (added, updated, deleted, errors) =
            (count(ADDED), count(UPDATED), count(DELETED), count(ERROR));
        let results: Vec<import_result::ActiveModel> = outcome
            .iter()
            .map(|(row, (result, messages))| import_result::ActiveModel {
                run_id: Set(run.id),
                row_no: Set(i32::try_from(*row).unwrap_or(i32::MAX)),
                outcome: Set(result.to_string()),
                messages: Set(serde_json::to_string(messages).unwrap_or_else(|_| "[]".into())),
                ..Default::default()
            })
            .collect();
        for chunk in results.chunks(BATCH) {
            import_result::Entity::insert_many(chunk.to_vec())
                .exec(&*txn)
                .await?;
        }
        import_run::Entity::update_many()
            .col_expr(
                import_run::Column::Added,
                Expr::col(import_run::Column::Added).add(added),
            )
            .col_expr(
                import_run::Column::Updated,
                Expr::col(import_run::Column::Updated).add(updated),
            )
            .col_expr(
                import_run::Column::Deleted,
                Expr::col(import_run::Column::Deleted).add(deleted),
            )
            .col_expr(
                import_run::Column::Errors,
                Expr::col(import_run::Column::Errors).add(errors),
            )
            .filter(import_run::Column::Id.eq(run.id))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        Ok(true)
    }
}

impl Applier {
    /// A OneRoster export, planned again and applied as a whole; its users' rows and every
    /// problem of the export are the run's results.
    async fn roster_step(&self, db: &Db, run: &import_run::Model) -> Result<()> {
        use super::oneroster::{self, RosterOptions};
        let file = import_file::Entity::find_by_id(run.id)
            .one(db.conn())
            .await?
            .ok_or(Error::NotFound)?;
        let principal = Principal::load(db, run.started_by).await?;
        let limits = Limits {
            max_bytes: file.content.len(),
            max_rows: usize::MAX,
        };
        let roster = oneroster::read_off_thread(&file.content, limits).await?;
        let options = RosterOptions {
            teacher_role: run.teacher_role_id,
        };
        let planned = oneroster::plan(db, &principal, self.site_public_id, &roster, options).await;
        let applied = match planned {
            Ok(plan) => oneroster::apply(db, &principal, &plan)
                .await
                .map(|applied| (plan, applied)),
            Err(err) => Err(err),
        };
        let (plan, applied) = match applied {
            Ok(done) => done,
            // The rights are gone, or the seats were taken meanwhile: the run fails, whole.
            Err(
                err @ (Error::Forbidden
                | Error::NotFound
                | Error::Unauthenticated
                | Error::Refused(_)
                | Error::RefusedAt(..)),
            ) => {
                return finish(db, run, FAILED, Some(err.code().as_str())).await;
            }
            Err(err) => return Err(err),
        };
        let mut outcome: Outcomes = BTreeMap::new();
        for (row, result) in &applied.rows {
            outcome.insert(*row, (*result, Vec::new()));
        }
        for problem in &plan.problems {
            // Rows of users.csv are the result file's rows; other files' problems say where.
            let (row, column) = if problem.file == "users.csv" {
                (problem.row, problem.column.map(str::to_string))
            } else {
                (
                    0,
                    Some(format!(
                        "{}:{} {}",
                        problem.file,
                        problem.row,
                        problem.column.unwrap_or_default()
                    )),
                )
            };
            outcome
                .entry(row)
                .or_insert((ERROR, Vec::new()))
                .1
                .push(RowMessage {
                    column,
                    code: problem.code,
                    details: problem.details.clone(),
                });
        }
        let errors = outcome.values().filter(|(o, _)| *o == ERROR).count();
        let as_i32 = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let txn = db.write().await?;
        let results: Vec<import_result::ActiveModel> = outcome
            .iter()
            .map(|(row, (result, messages))| import_result::ActiveModel {
                run_id: Set(run.id),
                row_no: Set(as_i32(*row)),
                outcome: Set(result.to_string()),
                messages: Set(serde_json::to_string(messages).unwrap_or_else(|_| "[]".into())),
                ..Default::default()
            })
            .collect();
        for chunk in results.chunks(BATCH) {
            import_result::Entity::insert_many(chunk.to_vec())
                .exec(&*txn)
                .await?;
        }
        import_run::Entity::update_many()
            .col_expr(import_run::Column::Processed, Expr::value(run.total_rows))
            .col_expr(
                import_run::Column::Added,
                Expr::value(as_i32(applied.added)),
            )
            .col_expr(
                import_run::Column::Updated,
                Expr::value(as_i32(applied.updated)),
            )
            .col_expr(
                import_run::Column::Deleted,
                Expr::value(as_i32(applied.deleted)),
            )
            .col_expr(import_run::Column::Errors, Expr::value(as_i32(errors)))
            .filter(import_run::Column::Id.eq(run.id))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        finish(db, run, DONE, None).await?;
        if applied.added + applied.updated >= BULK {
            db.refresh_statistics().await;
        }
        Ok(())
    }
}

/// Ends the run and mails the report to the administrator who started it.
async fn finish(
    db: &Db,
    run: &import_run::Model,
    status: &str,
    failure: Option<&str>,
) -> Result<()> {
    let txn = db.write().await?;
    let ended = import_run::Entity::update_many()
        .col_expr(import_run::Column::Status, Expr::value(status))
        .col_expr(
            import_run::Column::Failure,
            Expr::value(failure.map(str::to_string)),
        )
        .col_expr(
            import_run::Column::FinishedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(import_run::Column::Id.eq(run.id))
        .filter(import_run::Column::Status.eq(RUNNING))
        .exec(&*txn)
        .await?;
    if ended.rows_affected == 1 {
        // No initial password stays stored once the run has ended.
        if let Some(file) = import_file::Entity::find_by_id(run.id).one(&*txn).await? {
            import_file::Entity::update_many()
                .col_expr(
                    import_file::Column::Content,
                    Expr::value(super::stored::masked(&file.content)),
                )
                .filter(import_file::Column::RunId.eq(run.id))
                .exec(&*txn)
                .await?;
        }
        let fresh = import_run::Entity::find_by_id(run.id)
            .one(&*txn)
            .await?
            .ok_or(Error::NotFound)?;
        queue_report(&*txn, &fresh).await?;
    }
    txn.commit().await
}

/// How many problem rows the report mail lists (the page and the result file have them all).
pub const MAILED_PROBLEMS: u64 = 50;

/// The end of a run: the `import.finished` webhook event, and the report mail to whoever
/// started it.
async fn queue_report(conn: &impl ConnectionTrait, run: &import_run::Model) -> Result<()> {
    let site = site::Entity::find_by_id(run.site_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    crate::webhooks::emit(
        conn,
        vec![crate::webhooks::Emitted {
            kind: "import.finished",
            site: &site,
            data: serde_json::json!({
                "run": run.public_id,
                "file": run.file_name,
                "status": run.status,
                "added": run.added,
                "updated": run.updated,
                "deleted": run.deleted,
                "errors": run.errors,
            }),
        }],
    )
    .await?;
    let Some(admin) = user::Entity::find_by_id(run.started_by).one(conn).await? else {
        return Ok(());
    };
    let Some(email) = admin.email.clone() else {
        return Ok(());
    };
    let problems = import_result::Entity::find()
        .filter(import_result::Column::RunId.eq(run.id))
        .filter(import_result::Column::Outcome.eq(ERROR))
        .order_by_asc(import_result::Column::RowNo)
        .limit(MAILED_PROBLEMS)
        .all(conn)
        .await?
        .into_iter()
        .flat_map(|r| {
            let messages: Vec<RowMessage> = serde_json::from_str(&r.messages).unwrap_or_default();
            messages.into_iter().map(move |m| mail::RowProblem {
                row: r.row_no,
                column: m.column,
                code: m.code.as_str().to_string(),
                details: m.details,
            })
        })
        .collect();
    mail::queue(
        conn,
        &email,
        Some(&run.locale),
        Template::ImportReport {
            name: format!("{} {}", admin.first_name, admin.last_name),
            file_name: run.file_name.clone(),
            site: site.name,
            status: run.status.clone(),
            added: run.added,
            updated: run.updated,
            deleted: run.deleted,
            errors: run.errors,
            run: run.public_id.to_string(),
            problems,
        },
    )
    .await?;
    Ok(())
}

/// The batch's rows checked against the tree kept from an earlier batch, or loaded again
/// when the administrator's grants changed or a site the batch touches (or the importing
/// site) moved or went since, or when the kept tree cannot place rows that a newer one might
/// ([`Tree::may_miss`]).
async fn checked(
    db: &Db,
    kept: &mut Option<Tree>,
    site: Uuid,
    principal: &Principal,
    parsed: &Parsed,
    options: Options,
) -> Result<super::preview::Preview> {
    if let Some(tree) = kept.take() {
        let checked = check(db, principal, &tree, parsed).await?;
        let touched = checked.planned.iter().map(|p| p.site_id);
        if !tree.may_miss(&checked) && tree.holds_for(db, principal, touched).await? {
            *kept = Some(tree);
            return Ok(checked);
        }
    }
    let tree = Tree::load(db, principal, site, options).await?;
    let checked = check(db, principal, &tree, parsed).await?;
    *kept = Some(tree);
    Ok(checked)
}
