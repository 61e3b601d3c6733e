//! The pages for getting in: sign-up, registration, mailed links, passwords, privacy.
mod extra_fields;
mod fields;
pub mod password;
pub mod privacy;
pub mod register;
pub mod signup;
pub mod verify;
