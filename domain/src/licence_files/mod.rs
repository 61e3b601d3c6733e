//! Signed licence files for offline use: what a licensed application verifies without a
//! network (the user, their organisation, the products, the licence's period, when to check
//! online again, an optional device), signed with the vendor's Ed25519 key and optionally
//! sealed to the user's licence key. The format is in [`format`] and `docs/licence-files.md`.
pub mod format;
mod issue;
mod keys;

pub use format::{verify, Claims, Jwk, Jwks, Refusal, Seal};
pub use issue::{issue, issue_mine, licence_key, Issued, Request, DEFAULT_TTL, TTL_RANGE};
pub use keys::{list, published, remove, rotate, KeyInfo};
