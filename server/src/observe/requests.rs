//! Every request: an id (the caller's `X-Request-Id` when it is a plain token, else a new
//! one) on the response, on every log line of the request (a span) and in API error bodies;
//! one log line and the request metrics when it is answered. The route is the path with ids
//! replaced by `{id}`, never the query (which may carry a token); unknown paths count as one.
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::lifecycle::Lifecycle;

pub const REQUEST_ID: &str = "x-request-id";

tokio::task_local! {
    /// The request id, for answers that carry it in their body.
    static CURRENT: String;
}

/// The id of the request being answered (in this task), if any.
pub fn current_id() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// A new id: 32 hex digits, a random prefix of this process and a counter (no system call
/// per request, unique across processes and restarts in practice).
fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
    format!("{prefix:016x}{:016x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn request_id(request: &Request) -> String {
    request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string)
        .unwrap_or_else(new_id)
}

/// The path as a metrics label: segments that are ids become `{id}`.
pub fn route_of(path: &str, status: u16) -> String {
    if status == 404 || status == 405 {
        return "unmatched".into();
    }
    if path.starts_with("/pkg/") {
        return "/pkg".into();
    }
    let mut route = String::with_capacity(path.len());
    for segment in path.split('/').skip(1) {
        route.push('/');
        let id = segment.len() >= 8 && segment.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
            || (!segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()));
        route.push_str(if id { "{id}" } else { segment });
        if route.len() > 80 {
            return "other".into();
        }
    }
    if route.is_empty() {
        route.push('/');
    }
    route
}

pub async fn observe(
    State(lifecycle): State<Arc<Lifecycle>>,
    request: Request,
    next: Next,
) -> Response {
    let id = request_id(&request);
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = CURRENT
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let route = route_of(&path, status);
    let method_label = method.as_str().to_owned();
    metrics::counter!(
        "licentia_http_requests_total",
        "route" => route.clone(),
        "method" => method_label.clone(),
        "status" => status_label(status)
    )
    .increment(1);
    metrics::histogram!(
        "licentia_http_request_duration_seconds",
        "route" => route.clone(),
        "method" => method_label
    )
    .record(elapsed.as_secs_f64());
    let probe = matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics");
    span.in_scope(|| {
        let ms = elapsed.as_secs_f64() * 1000.0;
        if probe {
            tracing::debug!(method = %method, route = %route, status, ms, "answered");
        } else {
            tracing::info!(method = %method, route = %route, status, ms, "answered");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if lifecycle.draining() {
        // A proxy opens a new connection for its next request, to a process that stays.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The status as a label, without allocating for the usual ones.
fn status_label(status: u16) -> std::borrow::Cow<'static, str> {
    match status {
        200 => "200".into(),
        201 => "201".into(),
        204 => "204".into(),
        302 => "302".into(),
        303 => "303".into(),
        304 => "304".into(),
        400 => "400".into(),
        401 => "401".into(),
        403 => "403".into(),
        404 => "404".into(),
        409 => "409".into(),
        422 => "422".into(),
        429 => "429".into(),
        500 => "500".into(),
        503 => "503".into(),
        other => other.to_string().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::route_of;

    #[test]
    fn should_name_routes_without_ids_or_unknown_paths() {
        assert_eq!(
            route_of(
                "/api/v1/users/6f1c2a3e-1111-4222-8333-944445555666/licence",
                200
            ),
            "/api/v1/users/{id}/licence"
        );
        assert_eq!(
            route_of("/admin/import/42/result.xlsx", 200),
            "/admin/import/{id}/result.xlsx"
        );
        assert_eq!(route_of("/pkg/licentia.wasm", 200), "/pkg");
        assert_eq!(route_of("/random/thing", 404), "unmatched");
        assert_eq!(route_of("/", 200), "/");
        assert_eq!(route_of("/api/login", 200), "/api/login");
    }
}
