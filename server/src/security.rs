//! Two guards around every response: security headers on all of them, and the refusal of
//! cross-site requests that could change state with the browser's cookies.
//!
//! **Cross-site requests.** A request that is not `GET`/`HEAD`/`OPTIONS` to the pages'
//! routes (server functions under `/api/`, the sign-in `/api/login` itself, so no login CSRF)
//! and any request for a download is refused with 403 when the browser says it comes from
//! another site: `Sec-Fetch-Site: cross-site`, or an `Origin` that is not this server's
//! (`LICENTIA_PUBLIC_URL`, or the request's own `Host`). Requests without either header (not
//! from a browser: scripts, the tests) pass. The HTTP API `/api/v1` is not behind this guard:
//! it takes bearer tokens, never cookies.
//!
//! **Headers.** `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
//! `X-Frame-Options: DENY`, HSTS when the public URL is https, and a Content-Security-Policy:
//! pages carry their own (with the response's script nonce, see `app::csp`), everything else
//! gets one that allows nothing.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

/// This server's origin as browsers send it in `Origin` (`https://licentia.example`).
#[derive(Debug, Clone, Default)]
pub struct OwnOrigin(Option<String>);

impl OwnOrigin {
    /// From `LICENTIA_PUBLIC_URL` (none: only the request's `Host` counts).
    pub fn from_public_url(url: Option<&str>) -> OwnOrigin {
        OwnOrigin(url.and_then(origin_of))
    }
}

/// `scheme://host[:port]` of a URL, lower-case, without a default port or a path.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("https", Some((host, "443"))) | ("http", Some((host, "80"))) => host.to_string(),
        _ => authority,
    };
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

/// Downloads: refused from other sites whatever the method.
/// The Content-Security-Policy of every response that is not a page (data, files, errors);
/// pages set their own (`app::csp`).
const NOT_A_PAGE: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const DOWNLOADS: &[&str] = &[
    "/admin/users/export.",
    "/admin/journal.csv",
    "/admin/import/",
];

/// Whether the browser says this request comes from another site.
pub fn is_cross_site(headers: &HeaderMap, own: &OwnOrigin) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    if fetch_site.as_deref() == Some("cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Some(origin) = origin.to_str().ok().and_then(origin_of) else {
        // `Origin: null` (sandboxed frames, some redirects) or garbage.
        return true;
    };
    if own.0.as_deref() == Some(origin.as_str()) {
        return false;
    }
    // Without a public URL (or behind it, reached directly): the request's own host, in the
    // origin's scheme.
    let scheme = origin.split("://").next().unwrap_or_default();
    let own_host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|host| origin_of(&format!("{scheme}://{host}")));
    own_host.as_deref() != Some(origin.as_str())
}

fn changes_state(method: &Method, path: &str) -> bool {
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    !safe || DOWNLOADS.iter().any(|prefix| path.starts_with(prefix))
}

/// Refuses cross-site requests that could change state (see the module's comment).
pub async fn refuse_cross_site(
    State(own): State<Arc<OwnOrigin>>,
    request: Request,
    next: Next,
) -> Response {
    if changes_state(request.method(), request.uri().path())
        && is_cross_site(request.headers(), &own)
    {
        tracing::info!(path = %request.uri().path(), "cross-site request refused");
        let failure = wire::Failure {
            status: 403,
            ..wire::Failure::code(wire::Code::CrossSite)
        };
        return crate::answer::respond(&failure, axum::Json(&failure));
    }
    next.run(request).await
}

/// A request to an upload server function ([`app::api::UPLOADS`]) without a multipart body
/// and its boundary is the caller's error: answered 400 `invalid_request` before the function
/// reads it.
pub async fn refuse_unreadable_uploads(request: Request, next: Next) -> Response {
    let upload = request
        .uri()
        .path()
        .strip_prefix("/api/")
        .is_some_and(|function| app::api::UPLOADS.contains(&function));
    let multipart = upload
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| multer::parse_boundary(v).is_ok());
    if !upload || multipart {
        return next.run(request).await;
    }
    let failure = wire::Failure::invalid_request(400);
    crate::answer::respond(&failure, axum::Json(&failure))
}

/// What every response carries.
#[derive(Debug, Clone, Copy)]
pub struct Headers {
    /// Send `Strict-Transport-Security` (the public URL is https).
    pub hsts: bool,
}

/// Adds the security headers to every response (a page's own policy stays).
pub async fn security_headers(
    State(settings): State<Headers>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NOT_A_PAGE),
        );
    }
    if settings.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn should_tell_foreign_origins_from_our_own() {
        let public = OwnOrigin::from_public_url(Some("https://Licentia.example:443/app"));
        let none = OwnOrigin::default();
        for (own, pairs, foreign) in [
            (&public, vec![("origin", "https://licentia.example")], false),
            (&public, vec![("origin", "https://evil.example")], true),
            (&public, vec![("origin", "http://licentia.example")], true),
            (&public, vec![("origin", "null")], true),
            (&public, vec![], false),
            (&public, vec![("sec-fetch-site", "same-origin")], false),
            (&public, vec![("sec-fetch-site", "cross-site")], true),
            (
                &public,
                vec![
                    ("origin", "https://licentia.example"),
                    ("sec-fetch-site", "cross-site"),
                ],
                true,
            ),
            (
                &none,
                vec![
                    ("origin", "http://127.0.0.1:3000"),
                    ("host", "127.0.0.1:3000"),
                ],
                false,
            ),
            (
                &none,
                vec![
                    ("origin", "http://evil.example"),
                    ("host", "127.0.0.1:3000"),
                ],
                true,
            ),
            (
                &none,
                vec![
                    ("origin", "https://school.example"),
                    ("host", "school.example"),
                ],
                false,
            ),
            (&none, vec![("origin", "http://127.0.0.1:3000")], true),
        ] {
            assert_eq!(is_cross_site(&headers(&pairs), own), foreign, "{pairs:?}");
        }
    }
}
