//! Spreadsheets the server writes (exports, the import template, import results): CSV with
//! the separator the user's Excel expects, and .xlsx. Every text cell is neutralised against
//! formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a
//! leading apostrophe, so no spreadsheet program runs it. A lone symbol (the import's action
//! column: `+`, `-`) cannot run and stays as it is, so result files can be imported again.
mod csv;
mod streamed;
mod xlsx;
mod xlsx_stream;

pub use csv::{csv_cell, Csv};
pub use streamed::Streamed;
pub(crate) use xlsx::xlsx_error;
pub use xlsx::{xlsx_table, Table};

/// A cell's text made inert for spreadsheet programs.
pub fn neutralise(text: &str) -> String {
    if text.chars().nth(1).is_some() && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The output formats of a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn parse(extension: &str) -> Option<Format> {
        match extension {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// A table in the chosen format, row by row.
pub fn write(format: Format, table: &Table, locale: &str) -> crate::Result<Vec<u8>> {
    let mut out = Streamed::new(format, &table.sheet, &table.header, locale, Vec::new())?;
    for row in &table.rows {
        out.row(row)?;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_neutralise_formula_starts() {
        for (raw, expected) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+32 470", "'+32 470"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("plain", "plain"),
            ("+", "+"),
            ("-", "-"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralise(raw), expected);
        }
    }
}
