//! The file reader on arbitrary bytes (zip/OLE spreadsheets, CSV in any encoding), then the
//! row parser: a refusal is fine, a panic or a hang is not.
//!
//! The spreadsheet library itself can panic on damaged workbooks (calamine's compound-file
//! reader asserts); `read_table` catches those and refuses the file as unreadable. libFuzzer's
//! panic hook would abort even on a caught panic, so this target replaces it with a silent one:
//! a panic that escapes `read_table` or the parser still ends the run as a crash.
#![no_main]
use std::sync::Once;

use libfuzzer_sys::fuzz_target;

static QUIET_PANICS: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    QUIET_PANICS.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let limits = domain::import::Limits {
        max_bytes: 1 << 20,
        max_rows: 5_000,
    };
    if let Ok(table) = domain::import::read_table(data, limits) {
        let _ = domain::import::parse_rows(&table);
    }
});
