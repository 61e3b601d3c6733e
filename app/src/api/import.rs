//! Importing users from a spreadsheet: the upload checked (preview, nothing written), then
//! started as a background job; its progress, problems and cancellation.
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// A problem of a row (or of the whole file when `row` is 0), its column named in the user's
/// language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: i32,
    pub column: String,
    pub code: crate::error::Code,
    pub details: Vec<String>,
}

/// A site that would run out of seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortage {
    pub site: String,
    pub adding: u64,
    pub free: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub file_name: String,
    pub add: u64,
    pub update: u64,
    pub delete: u64,
    pub problems: Vec<RowProblem>,
    /// Rows with at least one problem (skipped when applied).
    pub problem_rows: u64,
    pub shortages: Vec<Shortage>,
    /// What happens differently from what the file says (an employee not moved).
    pub warnings: Vec<RowProblem>,
    /// A OneRoster export: what it does to the sites and the teachers' roles.
    pub roster: Option<RosterSummary>,
}

/// What a OneRoster export does besides its users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterSummary {
    pub sites_created: u64,
    pub sites_renamed: u64,
    pub sites_removed: u64,
    pub grants_added: u64,
    pub grants_removed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRun {
    pub id: Uuid,
    pub file_name: String,
    pub site_id: Uuid,
    pub site_name: String,
    /// running, done, cancelled or failed.
    pub status: wire::RunState,
    pub cancel_requested: bool,
    pub total: i32,
    pub processed: i32,
    pub added: i32,
    pub updated: i32,
    pub deleted: i32,
    pub errors: i32,
    pub started: String,
    /// The uploaded file is still stored (removed after the retention period), so the result
    /// file can be downloaded.
    pub file_kept: bool,
}

/// The most problems a page shows (the result file has them all).
pub const SHOWN_PROBLEMS: u64 = 500;

#[cfg(feature = "ssr")]
pub(crate) mod upload {
    use super::*;

    /// The form fields of an upload.
    pub struct Form {
        /// None: the principal's home site.
        pub site: Option<Uuid>,
        pub locale: String,
        pub upload: domain::import::Upload,
    }

    /// Reads the multipart form; the file is refused as soon as it passes the size limit.
    pub async fn read(data: MultipartData, max_bytes: usize) -> Result<Form, AppError> {
        let invalid = crate::error::invalid_request;
        let mut form = data.into_inner().ok_or_else(invalid)?;
        let (mut site, mut locale, mut mode, mut allow_deletes, mut sync) =
            (None, String::new(), String::new(), false, false);
        let mut teacher_role = None;
        let (mut file_name, mut content) = (String::new(), Vec::new());
        while let Some(mut field) = form.next_field().await.map_err(|_| invalid())? {
            match field.name().unwrap_or_default() {
                "file" => {
                    file_name = field.file_name().unwrap_or("import").to_string();
                    while let Some(chunk) = field.chunk().await.map_err(|_| invalid())? {
                        if content.len() + chunk.len() > max_bytes {
                            return Err(domain::Error::Refused(domain::Code::ImportTooLarge).into());
                        }
                        content.extend_from_slice(&chunk);
                    }
                }
                name => {
                    let name = name.to_string();
                    let value = field.text().await.map_err(|_| invalid())?;
                    match name.as_str() {
                        "site" => site = Uuid::parse_str(value.trim()).ok(),
                        "locale" => locale = value,
                        "mode" => mode = value,
                        "allow_deletes" => allow_deletes = value == "on" || value == "true",
                        "sync" => sync = value == "on" || value == "true",
                        "teacher_role" => teacher_role = Uuid::parse_str(value.trim()).ok(),
                        _ => {}
                    }
                }
            }
        }
        let mode = domain::import::Mode::parse(&mode).unwrap_or(domain::import::Mode::AddOnly);
        Ok(Form {
            site,
            locale: locale.clone(),
            upload: domain::import::Upload {
                file_name,
                content,
                options: domain::import::Options {
                    mode,
                    allow_deletes,
                    sync,
                },
                locale,
                teacher_role,
            },
        })
    }

    pub fn column_label(locale: &str, column: Option<domain::import::Column>) -> String {
        column
            .map(|c| domain::texts::text(locale, &format!("column.{}", c.key())))
            .unwrap_or_default()
    }

    pub fn run(s: domain::import::RunStatus) -> ImportRun {
        ImportRun {
            id: s.public_id,
            file_name: s.file_name,
            site_id: s.site_public_id,
            site_name: s.site_name,
            status: s.status,
            cancel_requested: s.cancel_requested,
            total: s.total_rows,
            processed: s.processed,
            added: s.added,
            updated: s.updated,
            deleted: s.deleted,
            errors: s.errors,
            started: s.created_at.format("%Y-%m-%d %H:%M").to_string(),
            file_kept: s.file_kept,
        }
    }
}

/// Checks an upload against the database: what it would add, update and delete, every problem
/// with its row and column, seat shortages. Nothing is written.
#[server(endpoint = "preview_import", input = MultipartFormData)]
pub async fn preview_import(data: MultipartData) -> Result<ImportPreview, AppError> {
    use domain::import::{self, Action, UploadPreview};
    let (db, principal) = crate::ssr::principal().await?;
    let limits = crate::ssr::import_limits();
    let form = upload::read(data, limits.max_bytes).await?;
    let site = domain::sites::site_or_home(&db, &principal, form.site).await?;
    let file_name = form.upload.file_name.clone();
    let shown = SHOWN_PROBLEMS as usize;
    let shortage = |s: import::SeatShortage| Shortage {
        site: s.site_name,
        adding: s.adding as u64,
        free: s.free,
    };
    match import::preview_upload(&db, &principal, site, &form.upload, limits).await? {
        UploadPreview::Sheet(preview) => {
            let mut rows: Vec<usize> = preview.issues.iter().map(|i| i.row).collect();
            rows.dedup();
            let count = |action| preview.count(action) as u64;
            let problem = |i: &import::RowIssue| RowProblem {
                row: i32::try_from(i.row).unwrap_or(i32::MAX),
                column: upload::column_label(&form.locale, i.column),
                code: i.code,
                details: i.details.clone(),
            };
            Ok(ImportPreview {
                file_name,
                add: count(Action::Add),
                update: count(Action::Update),
                delete: count(Action::Delete),
                problem_rows: rows.len() as u64,
                problems: preview.issues.iter().take(shown).map(problem).collect(),
                warnings: preview.warnings.iter().take(shown).map(problem).collect(),
                shortages: preview.shortages.into_iter().map(shortage).collect(),
                roster: None,
            })
        }
        UploadPreview::Roster(plan) => {
            let problem = |p: &import::oneroster::Problem| RowProblem {
                row: i32::try_from(p.row).unwrap_or(i32::MAX),
                column: format!("{} · {}", p.file, p.column.unwrap_or_default()),
                code: p.code,
                details: p.details.clone(),
            };
            let mut rows: Vec<(&str, usize)> =
                plan.problems.iter().map(|p| (p.file, p.row)).collect();
            rows.sort();
            rows.dedup();
            Ok(ImportPreview {
                file_name,
                add: plan.new_users.len() as u64,
                update: plan.changed_users.len() as u64,
                delete: plan.removed_users.len() as u64,
                problem_rows: rows.len() as u64,
                problems: plan.problems.iter().take(shown).map(problem).collect(),
                warnings: plan.warnings.iter().take(shown).map(problem).collect(),
                roster: Some(RosterSummary {
                    sites_created: plan.new_sites.len() as u64,
                    sites_renamed: plan.renamed.len() as u64,
                    sites_removed: plan.removed_sites.len() as u64,
                    grants_added: plan.grants_added.len() as u64,
                    grants_removed: plan.grants_removed.len() as u64,
                }),
                shortages: plan.shortages.into_iter().map(shortage).collect(),
            })
        }
    }
}

/// Stores the upload and starts applying it in the background; returns the run.
#[server(endpoint = "start_import", input = MultipartFormData)]
pub async fn start_import(data: MultipartData) -> Result<Uuid, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let limits = crate::ssr::import_limits();
    let form = upload::read(data, limits.max_bytes).await?;
    let site = domain::sites::site_or_home(&db, &principal, form.site).await?;
    Ok(domain::import::start(&db, &principal, site, form.upload, limits).await?)
}

#[server(endpoint = "import_status")]
pub async fn import_status(run: Uuid) -> Result<ImportRun, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(upload::run(
        domain::import::status(&db, &principal, run).await?,
    ))
}

/// The rows with a problem, in file order (at most [`SHOWN_PROBLEMS`]).
#[server(endpoint = "import_problems")]
pub async fn import_problems(run: Uuid, locale: String) -> Result<Vec<RowProblem>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let results = domain::import::results(&db, &principal, run, true, Some(SHOWN_PROBLEMS)).await?;
    Ok(results
        .into_iter()
        .flat_map(|r| {
            let locale = locale.clone();
            r.messages.into_iter().map(move |m| RowProblem {
                row: r.row,
                // A spreadsheet's column in the reader's words; a OneRoster export's file and
                // column as the export names them.
                column: match m.column() {
                    Some(known) => upload::column_label(&locale, Some(known)),
                    None => m.column.clone().unwrap_or_default(),
                },
                code: m.code,
                details: m.details,
            })
        })
        .collect())
}

#[server(endpoint = "cancel_import")]
pub async fn cancel_import(run: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::import::cancel(&db, &principal, run).await?)
}

/// The latest imports into a site (default: the principal's home site).
#[server(endpoint = "recent_imports")]
pub async fn recent_imports(site: Option<Uuid>) -> Result<Vec<ImportRun>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    Ok(domain::import::recent(&db, &principal, site)
        .await?
        .into_iter()
        .map(upload::run)
        .collect())
}

/// The organisation's HR synchronisation, as the import page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettings {
    pub exists: bool,
    /// `Source header = target`, one per line.
    pub mapping: String,
    pub match_on: wire::MatchOn,
    pub date_format: wire::DateFormat,
    pub end_old_placements: bool,
    pub can_edit: bool,
    pub targets: Vec<String>,
}

#[server(endpoint = "load_sync_settings")]
pub async fn load_sync_settings(site: Option<Uuid>) -> Result<SyncSettings, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let o = domain::import::sync::overview(&db, &principal, site).await?;
    let config = o.config.clone().unwrap_or_default();
    Ok(SyncSettings {
        exists: o.config.is_some(),
        mapping: config.mapping_text(),
        match_on: config.match_on,
        date_format: config.date_format,
        end_old_placements: config.end_old_placements,
        can_edit: o.can_edit,
        targets: o.targets,
    })
}

#[server(endpoint = "save_sync_settings")]
pub async fn save_sync_settings(
    site: Uuid,
    mapping: String,
    match_on: String,
    date_format: String,
    #[server(default)] end_old_placements: Option<String>,
) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::import::sync::SyncForm {
        mapping,
        match_on,
        date_format,
        end_old_placements: end_old_placements.is_some(),
    };
    domain::import::sync::save_config(&db, &principal, site, form).await?;
    Ok(())
}
