//! The one error that crosses the wire: a stable code (whose message each language has), the
//! field at fault for input errors, the details a refusal names, and the HTTP status the
//! server answers it with. Never a database message.
use serde::{Deserialize, Serialize};

use crate::texts::fill;
use crate::{Code, Lang};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub code: Code,
    pub field: Option<String>,
    /// Places a refusal names (e.g. where a role is still granted), or the seconds to wait.
    #[serde(default)]
    pub details: Vec<String>,
    /// The HTTP status the server answers with (0 for a failure made in the browser).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub status: u16,
    /// Seconds to wait before sending the same request again (`Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

fn is_zero(status: &u16) -> bool {
    *status == 0
}

impl Failure {
    /// A failure with only its code (the status 0 until the server gives it one).
    pub fn code(code: Code) -> Self {
        Failure {
            code,
            field: None,
            details: Vec::new(),
            status: 0,
            retry_after: None,
        }
    }

    /// A request that cannot be read (its arguments, its method, its upload): the caller's
    /// error, `invalid_request` with `status` (400, or 405 for a wrong method).
    pub fn invalid_request(status: u16) -> Self {
        Failure {
            status,
            ..Failure::code(Code::InvalidRequest)
        }
    }

    pub fn is(&self, code: Code) -> bool {
        self.code == code
    }

    /// The message in `lang`; a `%s` in it takes a detail, which is then not listed again.
    pub fn message(&self, lang: impl Into<Lang>) -> String {
        fill(self.code.message(lang.into()), &self.details)
    }

    /// The details to list under the message (those not already in it).
    pub fn listed_details(&self, lang: impl Into<Lang>) -> Vec<String> {
        if self.code.message(lang.into()).contains("%s") {
            Vec::new()
        } else {
            self.details.clone()
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)
    }
}

impl std::error::Error for Failure {}

#[cfg(feature = "server_fn")]
mod server_fn_error {
    use server_fn::codec::JsonEncoding;
    use server_fn::error::{FromServerFnError, ServerFnErrorErr};

    use super::Failure;
    use crate::Code;

    impl FromServerFnError for Failure {
        type Encoder = JsonEncoding;

        /// What server functions themselves fail with: a request they cannot read is the
        /// caller's error (400, 405), one that never arrived is `network`.
        fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
            match value {
                ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                    Failure::code(Code::Network)
                }
                ServerFnErrorErr::UnsupportedRequestMethod(_) => Failure::invalid_request(405),
                ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::Deserialization(_)
                | ServerFnErrorErr::MissingArg(_) => Failure::invalid_request(400),
                _ => Failure {
                    status: 500,
                    ..Failure::code(Code::Internal)
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_leave_status_and_wait_out_of_a_browser_made_failure() {
        let json = serde_json::to_value(Failure::code(Code::Network)).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"code": "network", "field": null, "details": []})
        );
        let busy = Failure {
            status: 503,
            retry_after: Some(2),
            ..Failure::code(Code::ServerBusy)
        };
        let back: Failure = serde_json::from_str(&serde_json::to_string(&busy).unwrap_or_default())
            .unwrap_or_else(|_| Failure::code(Code::Internal));
        assert_eq!(back, busy);
    }
}
