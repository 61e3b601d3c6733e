//! How people get in: an administrator claims a subscription with its serial number
//! ([`sign_up`]); users register with a site's registration code ([`register`]) and are
//! active at once, after confirming their address ([`confirm_email`]), or after an
//! administrator approves them ([`decide`]).
mod approval;
mod form;
mod registration;
mod serial;
mod verification;

pub use approval::{decide, pending, PendingUser};
pub use form::{
    form_of, parse_rule, set_form, ExtraAnswers, FieldRule, RegistrationFields, MAX_DISCLAIMER,
};
pub use registration::{check_code, register, CodeInfo, RegistrationForm};
pub use serial::{check_serial, sign_up, SerialInfo, SignUpForm};
pub use verification::{confirm_email, Confirmed};

/// Registration flows of a site.
pub const FLOW_IMMEDIATE: &str = "immediate";
pub const FLOW_VERIFY: &str = "verify";
pub const FLOW_APPROVAL: &str = "approval";

/// Why an account cannot sign in yet (`users.pending`).
pub const PENDING_VERIFY: &str = "verify";
pub const PENDING_APPROVAL: &str = "approval";
