//! Bulk import of users from a spreadsheet (.xlsx, .xls, .ods) or CSV. This part reads the
//! file ([`read_table`]), recognises the header in Dutch, French or English ([`Columns`]) and
//! parses every row into an [`ImportRow`] or a [`RowIssue`] with its row and column
//! ([`parse_rows`]); [`preview`] checks the rows against the database (nothing written).
mod apply;
mod columns;
mod guard;
pub mod oneroster;
mod preview;
mod property_columns;
mod result_file;
mod retention;
mod roles;
mod rows;
mod run;
mod stored;
pub mod sync;
mod table;
mod template;
mod write;

pub use apply::{Applier, ADDED, BATCH, DELETED, ERROR, MAILED_PROBLEMS, UPDATED};
pub use columns::{Column, Columns};
pub use preview::{preview, Mode, Options, Planned, Preview, SeatShortage};
pub use property_columns::{PropertyColumn, PropertyHeaders};
pub use result_file::result_file;
pub use retention::{
    remove_old_files, schedule_cleanup, CleanupJob, CLEANUP_JOB_KIND, RETENTION_DAYS,
};
pub use rows::{parse_rows, parse_rows_with, Action, ImportRow, Parsed, RowIssue};
pub use run::{
    cancel, file_and_results, recent, results, start, status, ImportJob, RowMessage, RowResult,
    RunStatus, Upload, CANCELLED, DONE, FAILED, JOB_KIND, RUNNING,
};
pub use table::{read_table, Limits, Table};
pub use template::template;

/// Reads and parses an upload for an import into `site` (by id): the properties of its
/// organisation are columns too; with `sync`, the organisation's HR configuration rewrites
/// the upload first.
pub(crate) async fn parse_upload(
    db: &crate::Db,
    site_id: i32,
    content: &[u8],
    limits: Limits,
    sync: bool,
) -> crate::Result<Parsed> {
    let headers = PropertyHeaders::load(db, site_id).await?;
    // Reading a workbook is CPU work (and memory): on the spreadsheet pool, off the async
    // workers.
    let content = content.to_vec();
    let table = crate::work::sheets()
        .request(move || read_table(&content, limits))
        .await??;
    let table = match sync {
        true => sync::config_by_site_id(db, site_id)
            .await?
            .ok_or(crate::Error::Refused(crate::Code::ImportNoConfig))?
            .apply(&table, &headers),
        false => table,
    };
    parse_rows_with(&table, &headers)
}

/// The same for the site's public id (the upload form's preview), for a principal who may
/// import there: asked before anything of the upload is read.
pub async fn parse_for_site(
    db: &crate::Db,
    principal: &crate::Principal,
    site: uuid::Uuid,
    content: &[u8],
    limits: Limits,
    sync: bool,
) -> crate::Result<Parsed> {
    let resolved = crate::sites::resolve(db, site).await?;
    crate::access::require(
        principal,
        crate::access::Operation::ImportUsers,
        &resolved.scope,
    )?;
    parse_upload(db, resolved.site.id, content, limits, sync).await
}

/// What an upload would do: a spreadsheet's rows, or a OneRoster export's plan.
#[derive(Debug, Clone)]
pub enum UploadPreview {
    Sheet(Preview),
    Roster(Box<oneroster::RosterPlan>),
}

/// The preview of an upload into `site` (nothing written), for a principal who may import
/// there: a OneRoster export (a zip holding `manifest.csv`) is planned as one, anything else
/// read as a spreadsheet.
pub async fn preview_upload(
    db: &crate::Db,
    principal: &crate::Principal,
    site: uuid::Uuid,
    upload: &Upload,
    limits: Limits,
) -> crate::Result<UploadPreview> {
    if oneroster::is_roster(&upload.content) {
        let resolved = crate::sites::resolve(db, site).await?;
        crate::access::require(
            principal,
            crate::access::Operation::ImportUsers,
            &resolved.scope,
        )?;
        let roster = oneroster::read_off_thread(&upload.content, limits).await?;
        let options = oneroster::options_of(db, upload.teacher_role).await?;
        let plan = oneroster::plan(db, principal, site, &roster, options).await?;
        return Ok(UploadPreview::Roster(Box::new(plan)));
    }
    let parsed = parse_for_site(
        db,
        principal,
        site,
        &upload.content,
        limits,
        upload.options.sync,
    )
    .await?;
    Ok(UploadPreview::Sheet(
        preview(db, principal, site, &parsed, upload.options).await?,
    ))
}
