//! What crosses the wire between the server and the browser, shared by `domain` (which
//! produces it) and `app` (which shows it): the error codes and the value types pages match on.
//! No database, no UI: it compiles to wasm.
pub mod code;
pub mod import;
pub mod licence;
pub mod time;
pub mod token;

pub use code::Code;
pub use import::RunState;
pub use licence::{ClaimOutcome, LicenceState, Pending};
pub use token::TokenState;
