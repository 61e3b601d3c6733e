//! The stored upload of an import run. While the run is applied it is the file as uploaded;
//! once the run has ended (done, stopped or failed) it is replaced, in the transaction that
//! ends it, by its table with every password cell masked, so that no initial password stays
//! in the database. The result file is built from either form.
use serde::{Deserialize, Serialize};

use super::columns::Column;
use super::table::{read_table, Limits, Table};
use crate::error::{Error, Result};

/// What a masked table starts with (no spreadsheet or text file does: a NUL byte first).
const MARK: &[u8] = b"\0licentia-import-table-v1\n";

/// What a password cell shows once masked.
pub const MASK: &str = "\u{2022}\u{2022}\u{2022}\u{2022}";

#[derive(Serialize, Deserialize)]
struct Masked {
    first_row: usize,
    rows: Vec<Vec<String>>,
}

fn unlimited(content: &[u8]) -> Limits {
    Limits {
        max_bytes: content.len(),
        max_rows: usize::MAX,
    }
}

/// The table of a stored upload, masked or not.
pub(crate) fn read_stored(content: &[u8]) -> Result<Table> {
    match content.strip_prefix(MARK) {
        Some(json) => serde_json::from_slice::<Masked>(json)
            .map(|m| Table {
                first_row: m.first_row,
                rows: m.rows,
            })
            .map_err(|e| Error::Internal(format!("stored import table: {e}"))),
        // A OneRoster export's table is its users.csv (the rows its results name).
        None if super::oneroster::is_roster(content) => {
            super::oneroster::read::users_table(content, unlimited(content))
        }
        None => read_table(content, unlimited(content)),
    }
}

/// The stored form of an upload whose run has ended: its table with the cells under every
/// password header (the template's, or an HR export's, in any language) masked. A file that
/// cannot be read any more is stored as an empty table rather than kept.
pub(crate) fn masked(content: &[u8]) -> Vec<u8> {
    let mut table = read_stored(content).unwrap_or(Table {
        first_row: 1,
        rows: Vec::new(),
    });
    mask_passwords(&mut table);
    let mut out = MARK.to_vec();
    let body = serde_json::to_vec(&Masked {
        first_row: table.first_row,
        rows: table.rows,
    })
    .unwrap_or_else(|_| b"{\"first_row\":1,\"rows\":[]}".to_vec());
    out.extend(body);
    out
}

fn mask_passwords(table: &mut Table) {
    let Some(header_at) = table
        .rows
        .iter()
        .position(|row| row.iter().any(|c| !c.trim().is_empty()))
    else {
        return;
    };
    let positions: Vec<usize> = table.rows[header_at]
        .iter()
        .enumerate()
        .filter(|(_, name)| Column::Password.is_named(name))
        .map(|(i, _)| i)
        .collect();
    for row in table.rows.iter_mut().skip(header_at + 1) {
        for &i in &positions {
            if let Some(cell) = row.get_mut(i) {
                if !cell.trim().is_empty() {
                    *cell = MASK.to_string();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_mask_every_password_cell_and_keep_the_rest() {
        let csv = "\nActie;Gebruikersnaam;Wachtwoord;Voornaam\n+;an;Geheim-2026!;An\n+;bo;;Bo\n";
        let stored = masked(csv.as_bytes());
        assert!(stored.starts_with(MARK));
        let text = String::from_utf8_lossy(&stored);
        assert!(!text.contains("Geheim"), "{text}");
        let table = read_stored(&stored).unwrap();
        let original = read_stored(csv.as_bytes()).unwrap();
        assert_eq!(table.first_row, original.first_row);
        assert_eq!(table.rows.len(), original.rows.len());
        let an = table
            .rows
            .iter()
            .find(|r| r.get(1).is_some_and(|c| c == "an"));
        assert_eq!(an.map(|r| r[2].as_str()), Some(MASK));
        let bo = table
            .rows
            .iter()
            .find(|r| r.get(1).is_some_and(|c| c == "bo"));
        assert_eq!(bo.map(|r| r[2].as_str()), Some(""));
        // Masking twice changes nothing.
        assert_eq!(masked(&stored), stored);
    }
}
