//! Second factors: an authenticator app's six-digit codes (TOTP, RFC 6238) and recovery codes
//! shown once and kept hashed. A user enrols an app (the secret shown as a QR code and as
//! text), confirms it with a first code, and receives ten recovery codes; at sign-in either
//! proves the second factor. A code is accepted once: its time step is remembered, so the
//! same code (or an older one) is refused even within its 90 seconds of validity.
mod list;
mod recovery;
mod seal;
mod totp;

pub use list::{factors, remove, Factor, FactorKind};
pub use recovery::{recovery_codes_left, regenerate_recovery_codes, use_recovery_code};
pub use totp::{confirm_totp, enrol_totp, verify_totp, Enrolment, ISSUER};

/// A user may keep this many factors at most.
pub const MAX_FACTORS: u64 = 10;
