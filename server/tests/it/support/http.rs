//! Talking to the real router in-process, as a browser would: sign in, call server functions.
//! Shared by the integration tests and the benchmark (`#[path]`-included).
use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The real router over `db`, with the built site in `target/site` (no environment needed).
pub fn router(db: &domain::Db) -> axum::Router {
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("licentia")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let config = licentia::config::Config::from_env();
    licentia::routes::app(&config, db.clone(), leptos)
}

/// Signs in through the `login` server function; answers the session cookie (`name=value`).
pub async fn sign_in_as(app: &axum::Router, username: &str, password: &str) -> String {
    let (status, cookies, _) = send(
        app,
        Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(format!(
                "username={username}&password={password}&next=/admin"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "sign-in of {username}");
    cookies
        .into_iter()
        .find(|v| v.starts_with("licentia_session="))
        .and_then(|v| v.split(';').next().map(str::to_string))
        .unwrap()
}

/// A server function call with a URL-encoded body and the cookie: its status, the new session
/// cookie (`name=value`) if one was set, and the body.
#[allow(dead_code)]
pub async fn post_form(
    app: &axum::Router,
    cookie: &str,
    function: &str,
    body: String,
) -> (StatusCode, Option<String>, String) {
    let (status, cookies, bytes) = send(
        app,
        Request::post(format!("/api/{function}"))
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    let session = cookies
        .into_iter()
        .find(|v| v.starts_with("licentia_session="))
        .and_then(|v| v.split(';').next().map(str::to_string));
    (
        status,
        session,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Calls a server function with a URL-encoded or (when it starts with `{`) JSON body.
pub async fn call(
    app: &axum::Router,
    cookie: &str,
    function: &str,
    body: String,
) -> (StatusCode, Vec<u8>) {
    let content_type = if body.starts_with('{') {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let path = format!("/api/{function}");
    raw(app, cookie, "POST", &path, content_type, body.into_bytes()).await
}

/// A request of any method with the session cookie and a raw body of this content type.
#[allow(dead_code)]
pub async fn raw(
    app: &axum::Router,
    cookie: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let (status, _, bytes) = send(
        app,
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    (status, bytes)
}

/// A GET with the session cookie.
pub async fn get(app: &axum::Router, cookie: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let (status, _, bytes) = send(
        app,
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    (status, bytes)
}

#[allow(dead_code)]
pub async fn send(
    app: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, Vec<String>, Vec<u8>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    // SCIM's error schema is closed: its errors carry our code in a header. The tests read it
    // where they read every other answer's, in the body.
    let scim_code = response
        .headers()
        .get("licentia-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    if let Some(code) = scim_code {
        if let Ok(serde_json::Value::Object(mut body)) = serde_json::from_slice(&bytes) {
            body.insert("code".into(), code.into());
            bytes = serde_json::to_vec(&body).unwrap();
        }
    }
    (status, cookies, bytes)
}

/// Calls a multipart server function (an upload) with text fields and one file.
#[allow(dead_code)]
pub async fn call_multipart(
    app: &axum::Router,
    cookie: &str,
    function: &str,
    fields: &[(&str, String)],
    file: &[u8],
) -> (StatusCode, Vec<u8>) {
    let boundary = "licentia-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rows.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let path = format!("/api/{function}");
    raw(app, cookie, "POST", &path, &content_type, body).await
}

/// Calls the HTTP API with a bearer token and any body.
pub async fn api_raw(
    app: &axum::Router,
    token: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    let (status, _, bytes) = send(app, request).await;
    (status, bytes)
}

/// Calls the HTTP API with a bearer token.
#[allow(dead_code)]
pub async fn api(
    app: &axum::Router,
    token: &str,
    method: &str,
    path: &str,
    body: Option<String>,
) -> (StatusCode, Vec<u8>) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let (status, _, bytes) = send(
        app,
        request
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap(),
    )
    .await;
    (status, bytes)
}
