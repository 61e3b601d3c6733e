//! The row parser on arbitrary cells: the input is split into rows (newline) and cells (`;`),
//! the first row being the header. Nothing may panic, whatever the header and cells hold.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let table = domain::import::Table {
        first_row: 1,
        rows: text
            .split('\n')
            .map(|line| line.split(';').map(str::to_string).collect())
            .collect(),
    };
    if let Ok(parsed) = domain::import::parse_rows(&table) {
        for row in &parsed.rows {
            assert!(!row.username.is_empty());
        }
    }
});
