//! Bulk import of users from a spreadsheet (.xlsx, .xls, .ods) or CSV. This part reads the
//! file ([`read_table`]), recognises the header in Dutch, French or English ([`Columns`]) and
//! parses every row into an [`ImportRow`] or a [`RowIssue`] with its row and column
//! ([`parse_rows`]). No database: the preview and the apply job build on it.
mod columns;
mod rows;
mod table;

pub use columns::{Column, Columns};
pub use rows::{parse_rows, Action, ImportRow, Parsed, RowIssue};
pub use table::{read_table, Limits, Table};
