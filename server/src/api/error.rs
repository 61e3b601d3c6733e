//! The API's errors: JSON with the same codes as the pages, the message in the caller's
//! language (`Accept-Language`: nl, fr or en; English by default), never a database text.
use app::error::{AppError, Code};
use app::i18n::Locale;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// An error: a stable code (the UI's translation key), a message in the caller's language,
/// the field at fault for input errors, and details (e.g. places) for some refusals.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    #[schema(value_type = String, example = "no_valid_licence")]
    pub code: Code,
    pub message: String,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub details: Vec<String>,
    /// The request's id (also in the `X-Request-Id` header), to quote when asking for help.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: AppError,
    locale: Locale,
    /// `Retry-After` in seconds (503 when busy).
    retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(err: domain::Error, locale: Locale) -> Self {
        let status =
            StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let domain::Error::Internal(detail) = &err {
            tracing::error!(%detail, "API internal error");
        }
        ApiError {
            status,
            retry_after: err.retry_after(),
            error: AppError {
                code: err.code(),
                field: err.field().map(str::to_string),
                details: err.details().to_vec(),
            },
            locale,
        }
    }

    /// A request the API cannot read (bad JSON, a malformed id, an unknown parameter value).
    pub fn bad_request(locale: Locale, field: Option<&str>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            retry_after: None,
            error: AppError {
                code: Code::InvalidRequest,
                field: field.map(str::to_string),
                details: Vec::new(),
            },
            locale,
        }
    }

    /// The same error with another status (e.g. a user's wrong password as 401).
    pub fn with_status(self, status: StatusCode) -> Self {
        ApiError { status, ..self }
    }

    pub fn code(&self) -> Code {
        self.error.code
    }

    pub fn not_found(locale: Locale) -> Self {
        ApiError::new(domain::Error::NotFound, locale)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            message: self.error.message(self.locale),
            details: self.error.listed_details(self.locale),
            code: self.error.code,
            field: self.error.field,
            request_id: crate::observe::requests::current_id(),
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"licentia\""),
            );
        }
        response
    }
}

/// The first of nl, fr and en the caller accepts, by the header's order; English otherwise.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    let accepted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accepted
        .split(',')
        .filter_map(|part| part.split(';').next())
        .map(|tag| tag.trim().to_ascii_lowercase())
        .find_map(|tag| {
            let primary = tag.split('-').next().unwrap_or_default().to_string();
            app::components::language_switch::parse_locale(&primary)
        })
        .unwrap_or(Locale::en)
}
