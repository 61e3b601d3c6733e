//! The one error type that crosses the wire: [`wire::Failure`] (a stable code whose message
//! each language has, the field for input errors, details, the HTTP status). Server functions
//! fail with it; a domain error becomes one in one place (`From<domain::Error>`, in the domain).
pub use wire::{Code, Failure as AppError};

use crate::i18n::Locale;

impl From<Locale> for wire::Lang {
    fn from(locale: Locale) -> Self {
        match locale {
            Locale::nl => wire::Lang::Nl,
            Locale::fr => wire::Lang::Fr,
            Locale::en => wire::Lang::En,
        }
    }
}

impl From<wire::Lang> for Locale {
    fn from(lang: wire::Lang) -> Self {
        match lang {
            wire::Lang::Nl => Locale::nl,
            wire::Lang::Fr => Locale::fr,
            wire::Lang::En => Locale::en,
        }
    }
}

/// A request the server function cannot read (its arguments, its upload): `invalid_request`,
/// answered 400.
pub fn invalid_request() -> AppError {
    AppError::invalid_request(400)
}
