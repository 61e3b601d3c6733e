//! Bulk import of users from a spreadsheet (.xlsx, .xls, .ods) or CSV. This part reads the
//! file ([`read_table`]), recognises the header in Dutch, French or English ([`Columns`]) and
//! parses every row into an [`ImportRow`] or a [`RowIssue`] with its row and column
//! ([`parse_rows`]); [`preview`] checks the rows against the database (nothing written).
mod apply;
mod columns;
mod guard;
mod preview;
mod result_file;
mod roles;
mod rows;
mod run;
mod table;
mod template;
mod write;

pub use apply::{Applier, ADDED, BATCH, DELETED, ERROR, MAILED_PROBLEMS, UPDATED};
pub use columns::{Column, Columns};
pub use preview::{preview, Mode, Options, Planned, Preview, SeatShortage};
pub use result_file::result_file;
pub use rows::{parse_rows, Action, ImportRow, Parsed, RowIssue};
pub use run::{
    cancel, file_and_results, recent, results, start, status, ImportJob, RowMessage, RowResult,
    RunStatus, Upload, CANCELLED, DONE, FAILED, JOB_KIND, RUNNING,
};
pub use table::{read_table, Limits, Table};
pub use template::template;
