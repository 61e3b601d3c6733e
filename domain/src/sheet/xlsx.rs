//! One-sheet .xlsx downloads of a table in memory (see [`super::Streamed`] for the sheet's form).
use rust_xlsxwriter::XlsxError;

use crate::error::{Error, Result};

/// A sheet: its name, header and rows of text.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub sheet: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub(crate) fn xlsx_error(err: XlsxError) -> Error {
    Error::Internal(format!("xlsx: {err}"))
}

/// The table as an .xlsx file (see [`super::Streamed`]).
pub fn xlsx_table(table: &Table) -> Result<Vec<u8>> {
    super::write(super::Format::Xlsx, table, "")
}

/// Excel's rules for sheet names: at most 31 characters, none of `[]:*?/\`.
pub(crate) fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet1".into()
    } else {
        clean
    }
}
