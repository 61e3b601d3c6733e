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
