//! The audit journal: every administrative write records who did what to what, from where,
//! with a short before/after summary, in the same transaction as the change.
mod action;
mod list;
mod record;

pub use action::Action;
pub use list::{
    export, list, JournalEntry, JournalExport, JournalPage, JournalQuery, EXPORT_BATCH,
    EXPORT_LIMIT, PAGE_SIZE,
};
pub use record::{record, record_many, record_system, Change, Event, Target, OUTSIDE_VIEW};
