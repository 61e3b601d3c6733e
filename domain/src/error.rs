//! The one error type of the domain. Every variant carries a stable [`Code`]; the code is also
//! the translation key the UI shows (`errors.<code>`), so the text reaches users in their
//! language and database messages never leave the server.
use sea_orm::{DbErr, SqlErr};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in, but a new password must be chosen before anything else (403).
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("conflict: {0:?}")]
    Conflict(Code),
    #[error("invalid {field}: {code:?}")]
    Validation { field: &'static str, code: Code },
    /// A reference to something that does not exist (e.g. a product key): 404 with its code.
    #[error("unknown {field}: {code:?}")]
    Unknown { field: &'static str, code: Code },
    #[error("refused: {0:?}")]
    Refused(Code),
    /// Refused, naming the places that stand in the way (e.g. where a role is still granted).
    #[error("refused: {0:?} ({1:?})")]
    RefusedAt(Code, Vec<String>),
    /// Too much work in flight (e.g. the password pool's queue is full): 503 with
    /// `Retry-After`. Nothing was changed; the same request may be sent again.
    #[error("busy: retry after {retry_after} s")]
    Busy { retry_after: u32 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &'static str, code: Code) -> Self {
        Error::Validation { field, code }
    }

    pub fn code(&self) -> Code {
        match self {
            Error::NotFound => Code::NotFound,
            Error::Forbidden => Code::Forbidden,
            Error::Unauthenticated => Code::Unauthenticated,
            Error::PasswordChangeRequired => Code::PasswordChangeRequired,
            Error::Conflict(code) | Error::Refused(code) | Error::RefusedAt(code, _) => *code,
            Error::Validation { code, .. } | Error::Unknown { code, .. } => *code,
            Error::Busy { .. } => Code::ServerBusy,
            Error::Internal(_) => Code::Internal,
        }
    }

    /// Seconds to wait before trying again (`Retry-After`), for errors that have one.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Error::Busy { retry_after } => Some(*retry_after),
            Error::RefusedAt(Code::TooManyAttempts, details) => {
                details.first().and_then(|seconds| seconds.parse().ok())
            }
            _ => None,
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Validation { field, .. } | Error::Unknown { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The places a refusal names (empty for other errors).
    pub fn details(&self) -> &[String] {
        match self {
            Error::RefusedAt(_, places) => places,
            _ => &[],
        }
    }

    /// The HTTP status it is answered with (see `From<Error> for wire::Failure`).
    fn http_status(&self) -> u16 {
        match self {
            Error::NotFound | Error::Unknown { .. } => 404,
            // An import's file, removed after the retention period.
            Error::Refused(Code::ImportFileRemoved) => 410,
            // A SCIM filter that cannot be read, or a list too large to search (RFC 7644
            // §3.12: 400 invalidFilter, 400 tooMany).
            Error::Validation {
                code: Code::ScimFilterInvalid,
                ..
            }
            | Error::Refused(Code::ScimTooMany)
            | Error::Validation {
                code:
                    Code::ScimPatchInvalid
                    | Code::ScimPathInvalid
                    | Code::ScimNoTarget
                    | Code::ScimMemberUnknown,
                ..
            } => 400,
            // An `If-Match` that names another version (RFC 7644 §3.14).
            Error::Refused(Code::ScimVersionMismatch) => 412,
            // A SCIM operation this server does not offer (RFC 7644 §3.12).
            Error::Refused(Code::ScimNotImplemented) => 501,
            Error::Forbidden | Error::PasswordChangeRequired => 403,
            Error::Unauthenticated => 401,
            Error::Conflict(_) => 409,
            Error::Validation { .. } | Error::Refused(_) | Error::RefusedAt(..) => 422,
            Error::Busy { .. } => 503,
            Error::Internal(_) => 500,
        }
    }

    /// How an application signing a user in (the HTTP API) is answered: a wrong password is
    /// 401, too many attempts 429, another refusal (inactive, expired, no licence) 403; the
    /// rest as anywhere else.
    pub fn into_application_sign_in_failure(self) -> wire::Failure {
        let status = match (&self, self.code()) {
            (_, Code::InvalidCredentials) => Some(401),
            (_, Code::TooManyAttempts) => Some(429),
            (Error::Refused(_), _) => Some(403),
            _ => None,
        };
        let failure = wire::Failure::from(self);
        wire::Failure {
            status: status.unwrap_or(failure.status),
            ..failure
        }
    }

    /// A unique-constraint violation becomes `conflict`, anything else is internal.
    pub fn from_db_unique(err: DbErr, conflict: Code) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict(conflict),
            _ => Error::from(err),
        }
    }
}

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Self {
        // The detail stays on the server (logged once, when the error is answered): the wire
        // carries only the code `internal`.
        Error::Internal(format!("database error: {err}"))
    }
}

/// The one way a domain error is answered, whoever asked (server functions, the HTTP API,
/// downloads, single sign-on): its code, field and details, the HTTP status and, when busy or
/// throttled, when to come back. An internal error is logged here, once, with its detail.
impl From<Error> for wire::Failure {
    fn from(err: Error) -> Self {
        if let Error::Internal(detail) = &err {
            tracing::error!(%detail, "internal error");
        }
        wire::Failure {
            code: err.code(),
            field: err.field().map(str::to_string),
            details: err.details().to_vec(),
            status: err.http_status(),
            retry_after: err.retry_after(),
        }
    }
}

/// The stable error codes (one list, in the `wire` crate that the browser shares): the wire
/// value and the translation key under `errors`.
pub use wire::Code;

#[cfg(test)]
mod retry_tests {
    use super::*;

    #[test]
    fn should_tell_when_to_come_back_for_busy_and_throttled() {
        assert_eq!(Error::Busy { retry_after: 1 }.retry_after(), Some(1));
        let throttled = Error::RefusedAt(Code::TooManyAttempts, vec!["40".into()]);
        assert_eq!(throttled.retry_after(), Some(40));
        assert_eq!(
            wire::Failure::from(Error::Busy { retry_after: 1 }).status,
            503
        );
        assert_eq!(Error::NotFound.retry_after(), None);
    }
}
