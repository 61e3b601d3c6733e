//! Failures as HTTP responses, the one place: the status a [`Failure`] carries (given it by the
//! domain, `From<domain::Error> for wire::Failure`, or by the request's reading), its
//! `Retry-After`, and `WWW-Authenticate` for the API's 401. Used by the HTTP API, the downloads
//! and the server functions (whose error responses get their status in [`server_fn_status`]).
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use wire::Failure;

/// The status of a failure (500 when none was given: a failure the server made without one).
pub fn status(failure: &Failure) -> StatusCode {
    StatusCode::from_u16(failure.status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `failure` answered with `body`: its status and its headers.
pub fn respond(failure: &Failure, body: impl IntoResponse) -> Response {
    let mut response = (status(failure), body).into_response();
    headers(failure, &mut response);
    response
}

/// A refused download: the status and the code as plain text.
pub fn refused(err: domain::Error) -> Response {
    let failure = Failure::from(err);
    respond(&failure, failure.code.as_str())
}

/// A download request that cannot be read (its query, its id): 400 `invalid_request`.
pub fn unreadable() -> Response {
    let failure = Failure::invalid_request(400);
    respond(&failure, failure.code.as_str())
}

fn headers(failure: &Failure, response: &mut Response) {
    if let Some(seconds) = failure.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
}

/// `WWW-Authenticate` on the HTTP API's 401.
pub fn bearer_challenge(response: &mut Response) {
    if response.status() == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"licentia\""),
        );
    }
}

/// The largest error body of a server function read back for its status.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A server function's error leaves `server_fn` as a 500 with the failure as JSON: answered
/// with the failure's own status (400 for a request it could not read, 403, 404, 422, 503 with
/// `Retry-After`, …).
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, parts.headers).into_response();
    };
    if let Ok(failure) = serde_json::from_slice::<Failure>(&bytes) {
        parts.status = status(&failure);
        if let Some(seconds) = failure.retry_after {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
