//! OneRoster 1.2 CSV (Smartschool, Microsoft School Data Sync, the student information systems
//! schools run): an export read (`read`), planned against the importing site's subtree
//! (`plan`: schools and classes become sites, pupils are placed in their class, teachers get
//! a role on theirs, sourcedIds are kept so a later export updates, moves and removes) and
//! applied as one transaction (`apply`). It goes through the import path of spreadsheets:
//! upload, preview, a run of the job table, a report.
pub mod apply;
pub mod plan;
pub mod read;

pub use apply::{apply, Applied};
pub use plan::{plan, RosterOptions, RosterPlan, SiteRef, UserRef};
pub use read::{is_roster, read, Problem, Processing, Roster};

/// The mode an import run of a OneRoster export is stored with.
pub const MODE: &str = "oneroster";

/// Reads an export on the spreadsheet pool (CPU work and memory, off the async workers).
pub async fn read_off_thread(
    content: &[u8],
    limits: crate::import::Limits,
) -> crate::Result<Roster> {
    let content = content.to_vec();
    crate::work::sheets()
        .request(move || read(&content, limits))
        .await?
}

/// The options of an upload: the teacher role named by its public id (checked when planned).
pub async fn options_of(
    db: &crate::Db,
    teacher_role: Option<uuid::Uuid>,
) -> crate::Result<RosterOptions> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(public_id) = teacher_role else {
        return Ok(RosterOptions::default());
    };
    let found = crate::entities::role::Entity::find()
        .filter(crate::entities::role::Column::PublicId.eq(public_id))
        .one(db.conn())
        .await?
        .ok_or(crate::Error::NotFound)?;
    Ok(RosterOptions {
        teacher_role: Some(found.id),
    })
}
