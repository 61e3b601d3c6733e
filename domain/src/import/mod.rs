//! Bulk import of users from a spreadsheet (.xlsx, .xls, .ods) or CSV. This part reads the
//! file ([`read_table`]), recognises the header in Dutch, French or English ([`Columns`]) and
//! parses every row into an [`ImportRow`] or a [`RowIssue`] with its row and column
//! ([`parse_rows`]); [`preview`] checks the rows against the database (nothing written).
mod columns;
mod preview;
mod rows;
mod table;

pub use columns::{Column, Columns};
pub use preview::{preview, Mode, Options, Planned, Preview, SeatShortage};
pub use rows::{parse_rows, Action, ImportRow, Parsed, RowIssue};
pub use table::{read_table, Limits, Table};
