//! The API's errors: JSON with the same codes as the pages, the message in the caller's
//! language (`Accept-Language`: nl, fr or en; English by default), never a database text.
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use wire::{Code, Failure, Lang};

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
    failure: Failure,
    lang: Lang,
}

impl ApiError {
    pub fn new(err: domain::Error, lang: Lang) -> Self {
        ApiError {
            failure: Failure::from(err),
            lang,
        }
    }

    /// An answer made by the domain for this surface (e.g. an application's sign-in).
    pub fn answered(failure: Failure, lang: Lang) -> Self {
        ApiError { failure, lang }
    }

    /// A request the API cannot read (bad JSON, a malformed id, an unknown parameter value).
    pub fn bad_request(lang: Lang, field: Option<&str>) -> Self {
        ApiError {
            failure: Failure {
                field: field.map(str::to_string),
                ..Failure::invalid_request(400)
            },
            lang,
        }
    }

    pub fn not_found(lang: Lang) -> Self {
        ApiError::new(domain::Error::NotFound, lang)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            message: self.failure.message(self.lang),
            details: self.failure.listed_details(self.lang),
            code: self.failure.code,
            field: self.failure.field.clone(),
            request_id: crate::observe::requests::current_id(),
        };
        let mut response = crate::answer::respond(&self.failure, Json(body));
        crate::answer::bearer_challenge(&mut response);
        response
    }
}

/// The first of nl, fr and en the caller accepts, by the header's order; English otherwise.
pub fn locale_of(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or(Lang::En)
}
