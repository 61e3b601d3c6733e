//! Structural checks on a workbook before the spreadsheet library reads it, against small
//! files that make it use unbounded memory (found by fuzzing the import):
//!
//! - .xls (OLE compound file): a sector chain that loops makes calamine read it forever,
//!   growing a buffer until the process runs out of memory. Every chain of the allocation
//!   tables must end; pointers must stay inside the file.
//! - .xlsx: calamine holds a sheet as a dense rectangle from its first to its last cell, so two
//!   cells far apart (A1 and XFD1048576) would ask for billions of cells. The cell references
//!   are scanned first; rows and the rectangle's size are bounded. Decompressed parts are
//!   bounded too (zip bombs).
use std::io::{Cursor, Read};

use super::table::Limits;
use crate::error::{Code, Error, Result};

/// At most this many cells in the sheet's rectangle (rows × columns).
const MAX_CELLS: u64 = 6_000_000;
/// At most this many columns.
const MAX_COLUMNS: u64 = 256;
/// At most this many bytes decompressed from one upload.
const MAX_UNZIPPED: u64 = 256 * 1024 * 1024;

fn refuse(code: Code) -> Error {
    Error::invalid("file", code)
}

pub(super) fn check_compound_file(bytes: &[u8]) -> Result<()> {
    CompoundFile::new(bytes)
        .and_then(|file| file.check())
        .ok_or_else(|| refuse(Code::ImportUnreadable))
}

/// Sector ids at or above this are markers (end of chain, free, FAT, DIFAT), not sectors.
const MAX_REGULAR: u32 = 0xFFFF_FFFA;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const FREE: u32 = 0xFFFF_FFFF;

struct CompoundFile<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    sectors: usize,
}

impl<'a> CompoundFile<'a> {
    fn new(bytes: &'a [u8]) -> Option<CompoundFile<'a>> {
        let shift = u16::from_le_bytes([*bytes.get(30)?, *bytes.get(31)?]);
        let sector_size = match shift {
            9 => 512,
            12 => 4096,
            _ => return None,
        };
        let sectors = bytes.len().div_ceil(sector_size).checked_sub(1)?;
        Some(CompoundFile {
            bytes,
            sector_size,
            sectors,
        })
    }

    fn u32_at(&self, offset: usize) -> Option<u32> {
        let b = self.bytes.get(offset..offset + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The u32 entries of a sector (a short last sector is padded by nothing: fewer entries).
    fn entries(&self, sector: u32) -> Option<Vec<u32>> {
        let index = usize::try_from(sector).ok()?;
        if index >= self.sectors {
            return None;
        }
        let start = (index + 1) * self.sector_size;
        let end = (start + self.sector_size).min(self.bytes.len());
        Some(
            self.bytes
                .get(start..end)?
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )
    }

    fn check(&self) -> Option<()> {
        // The FAT's own sectors: 109 in the header, the rest in the DIFAT chain.
        let mut fat_sectors: Vec<u32> = (0..109)
            .filter_map(|i| self.u32_at(76 + i * 4))
            .filter(|id| *id < MAX_REGULAR)
            .collect();
        let mut difat = self.u32_at(68)?;
        let mut steps = 0;
        while difat < MAX_REGULAR {
            steps += 1;
            if steps > self.sectors {
                return None;
            }
            let mut entries = self.entries(difat)?;
            let next = entries.pop()?;
            fat_sectors.extend(entries.into_iter().filter(|id| *id < MAX_REGULAR));
            difat = next;
        }
        let mut fat = Vec::new();
        for sector in fat_sectors {
            fat.extend(self.entries(sector)?);
        }
        acyclic(&fat, self.sectors)?;
        // The mini FAT: its sectors form a chain in the FAT (checked above); its entries
        // chain mini sectors among themselves.
        let mut mini = Vec::new();
        let mut sector = self.u32_at(60)?;
        let mut steps = 0;
        while sector < MAX_REGULAR {
            steps += 1;
            if steps > self.sectors {
                return None;
            }
            mini.extend(self.entries(sector)?);
            sector = *fat.get(usize::try_from(sector).ok()?)?;
        }
        acyclic(&mini, mini.len())
    }
}

/// Every chain in `table` ends (no loops), and points only at entries below `bound`.
fn acyclic(table: &[u32], bound: usize) -> Option<()> {
    // 0: not seen, 1: on the path being walked, 2: known to end.
    let mut state = vec![0u8; table.len()];
    let mut path = Vec::new();
    for start in 0..table.len() {
        let mut at = start;
        loop {
            match state[at] {
                1 => return None,
                2 => break,
                _ => {}
            }
            state[at] = 1;
            path.push(at);
            let next = table[at];
            if next >= MAX_REGULAR || next == END_OF_CHAIN || next == FREE {
                break;
            }
            let next = usize::try_from(next).ok()?;
            if next >= bound || next >= table.len() {
                return None;
            }
            at = next;
        }
        for seen in path.drain(..) {
            state[seen] = 2;
        }
    }
    Some(())
}

/// Zip-based workbooks: bounded decompression, and for .xlsx the sheets' cell rectangle.
pub(super) fn check_zip(bytes: &[u8], limits: Limits) -> Result<()> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| refuse(Code::ImportUnreadable))?;
    let mut unzipped: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|_| refuse(Code::ImportUnreadable))?;
        unzipped = unzipped.saturating_add(entry.size());
        if unzipped > MAX_UNZIPPED {
            return Err(refuse(Code::ImportTooLarge));
        }
        let is_sheet = entry
            .name()
            .map(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
            .unwrap_or(false);
        if is_sheet {
            // Read at most what the entry declares (and the overall bound), whatever it holds.
            let mut xml = Vec::new();
            let declared = entry.size().min(MAX_UNZIPPED);
            (&mut entry)
                .take(declared)
                .read_to_end(&mut xml)
                .map_err(|_| refuse(Code::ImportUnreadable))?;
            check_sheet_extent(&xml, limits)?;
        }
    }
    Ok(())
}

/// The rectangle spanned by the `r="…"` references of a sheet's rows and cells.
fn check_sheet_extent(xml: &[u8], limits: Limits) -> Result<()> {
    let (mut rows, mut columns) = (0u64, 0u64);
    let mut at = 0;
    while let Some(found) = find(&xml[at..], b" r=\"") {
        let start = at + found + 4;
        let end = xml[start..]
            .iter()
            .position(|b| *b == b'"')
            .map_or(xml.len(), |p| start + p);
        let reference = &xml[start..end];
        let letters = reference
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let column = reference[..letters].iter().fold(0u64, |n, b| {
            n.saturating_mul(26)
                .saturating_add(u64::from(b.to_ascii_uppercase() - b'A' + 1))
        });
        let row = reference[letters..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .fold(0u64, |n, b| {
                n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
            });
        rows = rows.max(row);
        columns = columns.max(column);
        at = end;
    }
    let max_rows = u64::try_from(limits.max_rows).unwrap_or(u64::MAX);
    if rows > max_rows.saturating_add(1) {
        return Err(refuse(Code::ImportTooManyRows));
    }
    if columns > MAX_COLUMNS || rows.saturating_mul(columns.max(1)) > MAX_CELLS {
        return Err(refuse(Code::ImportTooLarge));
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_find_loops_and_pointers_outside_the_table() {
        assert!(acyclic(&[1, 2, END_OF_CHAIN, FREE], 4).is_some());
        assert!(acyclic(&[1, 2, 0], 3).is_none(), "a loop");
        assert!(acyclic(&[0], 1).is_none(), "a sector pointing at itself");
        assert!(acyclic(&[7], 1).is_none(), "outside");
    }

    #[test]
    fn should_bound_the_cell_rectangle() {
        let limits = Limits::default();
        let ok =
            br#"<row r="1"><c r="A1"/><c r="J1"/></row><row r="100000"><c r="J100000"/></row>"#;
        assert!(check_sheet_extent(ok, limits).is_ok());
        let far = br#"<row r="1"><c r="A1"/></row><row r="2"><c r="XFD2"/></row>"#;
        assert_eq!(
            check_sheet_extent(far, limits).map_err(|e| e.code()),
            Err(Code::ImportTooLarge)
        );
        let deep = br#"<row r="1048576"><c r="A1048576"/></row>"#;
        assert_eq!(
            check_sheet_extent(deep, limits).map_err(|e| e.code()),
            Err(Code::ImportTooManyRows)
        );
    }
}
