//! The file reader on arbitrary bytes (zip/OLE spreadsheets, CSV in any encoding), then the
//! row parser: a refusal is fine, a panic or a hang is not.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = domain::import::Limits {
        max_bytes: 1 << 20,
        max_rows: 5_000,
    };
    if let Ok(table) = domain::import::read_table(data, limits) {
        let _ = domain::import::parse_rows(&table);
    }
});
