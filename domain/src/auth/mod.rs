//! Signing in, and what the signed-in user may see of themselves.
pub mod password;
mod profile;
mod sign_in;

pub use profile::{me, set_language, Me};
pub use sign_in::{refusal, sign_in, SignedIn};
