//! From the uploaded bytes to a table of cell texts: spreadsheets through calamine (the first
//! sheet), anything else as CSV (`;`, `,` or tab, UTF-8 with or without BOM, else
//! Windows-1252). Formulas and error cells are marked so that their rows can be refused.
use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};

use crate::error::{Code, Error, Result};

/// What an upload may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    /// Data rows (the header not counted).
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 200_000,
        }
    }
}

/// A cell that cannot be imported as it is.
pub const CELL_ERROR: &str = "\u{0}error";
pub const CELL_FORMULA: &str = "\u{0}formula";

/// The cells of the first sheet as text, row by row, from the first used column (the action
/// column); `first_row` is the spreadsheet's number of the first row (1-based), for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub first_row: usize,
    pub rows: Vec<Vec<String>>,
}

fn refuse(code: Code) -> Error {
    Error::invalid("file", code)
}

/// Reads an upload. Refuses files over the size limit, files that are neither a spreadsheet
/// nor text, unreadable (damaged or password-protected) workbooks and empty ones.
pub fn read_table(bytes: &[u8], limits: Limits) -> Result<Table> {
    if bytes.len() > limits.max_bytes {
        return Err(refuse(Code::ImportTooLarge));
    }
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let table = if zip || ole {
        // A damaged workbook can make the spreadsheet library panic (found by fuzzing: an
        // assertion in calamine's compound-file reader); that is an unreadable file, not a
        // crash of the request or the import job.
        std::panic::catch_unwind(|| read_workbook(bytes, limits))
            .map_err(|_| refuse(Code::ImportUnreadable))??
    } else {
        read_csv(bytes, limits)?
    };
    if table
        .rows
        .iter()
        .all(|row| row.iter().all(|c| c.trim().is_empty()))
    {
        return Err(refuse(Code::ImportEmpty));
    }
    Ok(table)
}

fn read_workbook(bytes: &[u8], limits: Limits) -> Result<Table> {
    if bytes.starts_with(b"PK\x03\x04") {
        super::guard::check_zip(bytes, limits)?;
    } else {
        super::guard::check_compound_file(bytes)?;
    }
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| refuse(Code::ImportUnreadable))?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(refuse(Code::ImportEmpty));
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|_| refuse(Code::ImportUnreadable))?;
    if range.height() > limits.max_rows.saturating_add(1) {
        return Err(refuse(Code::ImportTooManyRows));
    }
    let (start_row, start_col) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect();
    // Formulas: their cached values would be imported silently; refuse them by cell.
    if let Ok(formulas) = book.worksheet_formula(&name) {
        for (r, c, formula) in formulas.used_cells() {
            if formula.is_empty() {
                continue;
            }
            let (fr, fc) = formulas.start().unwrap_or((0, 0));
            let row = (fr as usize + r).checked_sub(start_row as usize);
            let col = (fc as usize + c).checked_sub(start_col as usize);
            if let (Some(row), Some(col)) = (row, col) {
                if let Some(cell) = rows.get_mut(row).and_then(|cells| cells.get_mut(col)) {
                    *cell = CELL_FORMULA.to_string();
                }
            }
        }
    }
    Ok(Table {
        first_row: start_row as usize + 1,
        rows,
    })
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()).unwrap_or_default(),
        Data::DateTimeIso(text) | Data::DurationIso(text) => {
            text.split('T').next().unwrap_or_default().to_string()
        }
        Data::Error(_) => CELL_ERROR.to_string(),
    }
}

/// An Excel serial date (days since 1899-12-30) as ISO text.
fn excel_date(serial: f64) -> Option<String> {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = serial.floor();
    if !(0.0..3_000_000.0).contains(&days) {
        return None;
    }
    base.checked_add_days(chrono::Days::new(days as u64))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

pub(crate) fn read_csv(bytes: &[u8], limits: Limits) -> Result<Table> {
    let head = &bytes[..bytes.len().min(4096)];
    if head.contains(&0) {
        return Err(refuse(Code::ImportNotASpreadsheet));
    }
    let text = decode(bytes);
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| refuse(Code::ImportUnreadable))?;
        if rows.len() > limits.max_rows {
            return Err(refuse(Code::ImportTooManyRows));
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(Table { first_row: 1, rows })
}

/// UTF-8 (a BOM is dropped), or Windows-1252 when the bytes are not UTF-8 (Excel's "CSV" on
/// a Western Windows).
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The separator of the header line: the most frequent of `;`, `,` and tab outside quotes.
fn detect_delimiter(text: &str) -> u8 {
    let line = text.lines().next().unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b',', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    candidates[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
        read_table(bytes, Limits::default())
            .map(|t| t.rows)
            .unwrap_or_default()
    }

    #[test]
    fn should_read_csv_with_either_separator_and_encoding() {
        let want = vec![
            vec![
                "+".to_string(),
                "jan".into(),
                "Jan".into(),
                "Peeters".into(),
            ],
            vec![
                "-".to_string(),
                "zoë".into(),
                "Zoë".into(),
                "Maes, de".into(),
            ],
        ];
        let semicolon = "+;jan;Jan;Peeters\n-;zoë;Zoë;\"Maes, de\"\n";
        assert_eq!(rows(semicolon.as_bytes()), want);
        let comma = "\u{feff}+,jan,Jan,Peeters\r\n-,zoë,Zoë,\"Maes, de\"\r\n";
        assert_eq!(rows(comma.as_bytes()), want);
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(semicolon);
        assert_eq!(rows(&latin), want);
    }

    #[test]
    fn should_refuse_binary_empty_and_oversized_uploads() {
        let code = |bytes: &[u8], limits: Limits| read_table(bytes, limits).err().map(|e| e.code());
        let small = Limits {
            max_bytes: 10,
            max_rows: 5,
        };
        assert_eq!(
            code(b"\x89PNG\r\n\x1a\n\0\0\0", Limits::default()),
            Some(Code::ImportNotASpreadsheet)
        );
        assert_eq!(code(b"", Limits::default()), Some(Code::ImportEmpty));
        assert_eq!(code(b" ; ;\n", Limits::default()), Some(Code::ImportEmpty));
        assert_eq!(code(&[b'a'; 11], small), Some(Code::ImportTooLarge));
        assert_eq!(
            code(
                b"a\nb\nc\nd\ne\nf\ng\n",
                Limits {
                    max_bytes: 100,
                    max_rows: 5
                }
            ),
            Some(Code::ImportTooManyRows)
        );
        assert_eq!(
            code(b"PK\x03\x04 not really a zip", Limits::default()),
            Some(Code::ImportUnreadable)
        );
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 1, 2, 3];
        assert_eq!(code(&ole, Limits::default()), Some(Code::ImportUnreadable));
    }

    #[test]
    fn should_read_an_xlsx_with_dates_numbers_formulas_and_an_offset(
    ) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        // The table starts at B2, as people paste it.
        for (col, header) in [
            "Actie",
            "Gebruikersnaam",
            "Vervaldatum",
            "Personeelsnummer",
            "Voornaam",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(1, 1 + col as u16, *header)?;
        }
        sheet.write_string(2, 1, "+")?;
        sheet.write_string(2, 2, "an")?;
        let date = ExcelDateTime::from_ymd(2027, 6, 30)?;
        sheet.write_datetime_with_format(
            2,
            3,
            &date,
            &Format::new().set_num_format("dd/mm/yyyy"),
        )?;
        sheet.write_number(2, 4, 12345.0)?;
        sheet.write_formula(2, 5, Formula::new("=UPPER(\"an\")").set_result("AN"))?;
        let bytes = book.save_to_buffer()?;
        let table = read_table(&bytes, Limits::default())
            .map_err(|e| rust_xlsxwriter::XlsxError::ParameterError(format!("{e:?}")))?;
        assert_eq!(table.first_row, 2);
        // Columns count from the first used one (the action column).
        assert_eq!(
            table.rows[0],
            [
                "Actie",
                "Gebruikersnaam",
                "Vervaldatum",
                "Personeelsnummer",
                "Voornaam"
            ]
        );
        assert_eq!(
            table.rows[1],
            ["+", "an", "2027-06-30", "12345", CELL_FORMULA]
        );
        Ok(())
    }

    #[test]
    fn should_turn_excel_serial_dates_into_iso_dates() {
        assert_eq!(excel_date(46_203.0).as_deref(), Some("2026-06-30"));
        assert_eq!(excel_date(-1.0), None);
    }
}
