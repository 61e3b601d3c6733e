//! The one error type that crosses the wire. It carries a stable code (also the translation
//! key under `errors`) and, for input errors, the field; never a database message.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
pub use wire::Code;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub code: Code,
    pub field: Option<String>,
    /// Places a refusal names (e.g. where a role is still granted).
    #[serde(default)]
    pub details: Vec<String>,
}

impl AppError {
    pub fn code(code: Code) -> Self {
        AppError {
            code,
            field: None,
            details: Vec::new(),
        }
    }

    pub fn is(&self, code: Code) -> bool {
        self.code == code
    }

    /// The message in the user's language; a `%s` in it takes the first detail (e.g. the
    /// seconds to wait), which is then not listed again.
    pub fn message(&self, locale: Locale) -> String {
        fill(message(locale, self.code), &self.details)
    }

    /// The details to list under the message (those not already in it).
    pub fn listed_details(&self, locale: Locale) -> Vec<String> {
        if message(locale, self.code).contains("%s") {
            Vec::new()
        } else {
            self.details.clone()
        }
    }
}

/// Each `%s` of a message takes the next detail (the last one again when they run out).
fn fill(text: &str, details: &[String]) -> String {
    let mut parts = text.split("%s");
    let mut out = parts.next().unwrap_or_default().to_string();
    for (n, rest) in parts.enumerate() {
        let detail = details.get(n).or(details.last()).map(String::as_str);
        out.push_str(detail.unwrap_or("%s"));
        out.push_str(rest);
    }
    out
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                AppError::code(Code::Network)
            }
            ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                #[cfg(feature = "ssr")]
                callers_error(http::StatusCode::METHOD_NOT_ALLOWED);
                AppError::code(Code::InvalidRequest)
            }
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_) => invalid_request(),
            _ => AppError::code(Code::Internal),
        }
    }
}

/// A request the server function cannot read (its arguments, its upload): `invalid_request`,
/// answered 400 on the server.
pub fn invalid_request() -> AppError {
    #[cfg(feature = "ssr")]
    callers_error(http::StatusCode::BAD_REQUEST);
    AppError::code(Code::InvalidRequest)
}

/// On the server, a request the function cannot read (its arguments, its method) is the
/// caller's error: answered with this status rather than server functions' default 500.
#[cfg(feature = "ssr")]
fn callers_error(status: http::StatusCode) {
    if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(status);
    }
}

#[cfg(feature = "ssr")]
impl From<domain::Error> for AppError {
    fn from(err: domain::Error) -> Self {
        if let domain::Error::Internal(detail) = &err {
            tracing::error!(%detail, "internal error");
        }
        if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(err.http_status()) {
                opts.set_status(status);
            }
            if let Some(seconds) = err.retry_after() {
                opts.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
        AppError {
            code: err.code(),
            field: err.field().map(str::to_string),
            details: err.details().to_vec(),
        }
    }
}

/// The message of each code in the reader's language: an exhaustive match made from the one
/// list of codes (`wire::with_codes!`), so a code without its translation key does not build.
macro_rules! messages {
    ($($variant:ident => $key:ident,)*) => {
        fn message(locale: Locale, code: Code) -> &'static str {
            use crate::i18n::*;
            match code {
                $(Code::$variant => td_string!(locale, errors.$key),)*
            }
        }
    };
}

wire::with_codes!(messages);

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn should_fill_each_placeholder_with_the_next_detail() {
        let two = |d: &[&str]| {
            fill(
                "in %s, to %s.",
                &d.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(two(&["A", "B"]), "in A, to B.");
        assert_eq!(two(&["A"]), "in A, to A.");
        assert_eq!(two(&[]), "in %s, to %s.");
    }
}
