//! Privacy by design: what Licentia holds about a person ([`inventory`], one list), and
//! erasing it completely when the person is deleted ([`erase`]).
mod erase;
pub mod inventory;

pub(crate) use erase::erase;
pub use erase::{is_pseudonym, ERASED_PREFIX};
