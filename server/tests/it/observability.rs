//! What an operator sees: `/healthz`, `/readyz`, `/metrics` read by a Prometheus text-format
//! parser (requests by route and status with latency histograms, sign-ins by outcome, the
//! password pool, the database pool), a request id on every answer and in API error bodies,
//! and logs (JSON lines) that carry the request id but no password, token or cookie.
use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use uuid::Uuid;

use crate::support::http as http_support;

/// Log lines written in the test, to read afterwards.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).to_string())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

// One thread: the captured subscriber sees everything the requests log.
#[tokio::test]
async fn should_probe_scrape_and_log_without_secrets() {
    let logs = Captured::default();
    let _subscriber =
        tracing::subscriber::set_default(licentia::observe::logs::json_to(logs.clone()));
    let dir = std::env::temp_dir().join(format!("licentia-observe-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = domain::Db::connect_and_migrate(&format!("sqlite://{}", dir.join("o.db").display()))
        .await
        .unwrap();
    domain::demo::seed(&db).await.unwrap();
    let app = http_support::router(&db);

    let (status, _, body) = send(&app, get("/healthz")).await;
    assert_eq!((status, body.trim()), (StatusCode::OK, "ok"));
    let (status, _, body) = send(&app, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["ready"], true);

    // A sign-in (its password must not be logged), an API call with a token that is refused
    // (the error names the request), a page asked for with a token in its query.
    let cookie = http_support::sign_in_as(
        &app,
        domain::demo::ADMIN_USERNAME,
        domain::demo::ADMIN_PASSWORD,
    )
    .await;
    let secret = "lic_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
    let (status, headers, body) = send(
        &app,
        Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header("x-request-id", "trace-me-42")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["x-request-id"], "trace-me-42");
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["request_id"], "trace-me-42", "{body}");
    let reset_token = "reset-token-that-must-stay-secret";
    let (_, headers, _) = send(&app, get(&format!("/password/set?token={reset_token}"))).await;
    let generated = headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 32, "a new id when the caller sends none");

    // A licence check (a demo pupil's, as the administrator), read through the checks' queue.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let by_name = |name: &'static str| {
        domain::entities::user::Entity::find()
            .filter(domain::entities::user::Column::Username.eq(name))
            .one(db.conn())
    };
    let admin = by_name(domain::demo::ADMIN_USERNAME)
        .await
        .unwrap()
        .unwrap();
    let admin = domain::Principal::load(&db, admin.id).await.unwrap();
    let pupil = by_name("lotte.janssens").await.unwrap().unwrap();
    domain::cache::invalidate_all();
    let today = wire::time::today();
    let answer = domain::licences::check(&db, &admin, pupil.public_id, None, today)
        .await
        .unwrap();
    let outcome = if answer.valid { "valid" } else { "invalid" };

    // The scrape, read by a Prometheus text-format parser.
    let (status, headers, text) = send(&app, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
    let sample = |name: &str, labels: &[(&str, &str)]| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
    };
    let value = |name: &str, labels: &[(&str, &str)]| match sample(name, labels).map(|s| &s.value) {
        Some(prometheus_parse::Value::Counter(v))
        | Some(prometheus_parse::Value::Gauge(v))
        | Some(prometheus_parse::Value::Untyped(v)) => *v,
        other => panic!("{name} {labels:?}: {other:?}\n{text}"),
    };
    assert!(
        value(
            "licentia_http_requests_total",
            &[
                ("route", "/api/v1/me"),
                ("method", "GET"),
                ("status", "401")
            ]
        ) >= 1.0
    );
    assert!(value("licentia_http_requests_total", &[("route", "/healthz")]) >= 1.0);
    assert!(
        matches!(
            sample("licentia_http_request_duration_seconds", &[("route", "/api/login")])
                .map(|s| &s.value),
            Some(prometheus_parse::Value::Histogram(buckets)) if !buckets.is_empty()
        ),
        "{text}"
    );
    assert!(
        value(
            "licentia_sign_ins_total",
            &[("method", "password"), ("outcome", "success")]
        ) >= 1.0
    );
    assert!(
        matches!(
            sample("licentia_licence_check_batch_size", &[]).map(|s| &s.value),
            Some(prometheus_parse::Value::Histogram(buckets)) if !buckets.is_empty()
        ),
        "{text}"
    );
    assert!(value("licentia_licence_checks_total", &[("outcome", outcome)]) >= 1.0);
    assert!(value("licentia_password_workers", &[]) >= 1.0);
    let allocated = value("licentia_memory_allocated_bytes", &[]);
    assert!(allocated > 0.0 && allocated <= value("licentia_memory_resident_bytes", &[]));
    assert!(value("licentia_db_pool_connections", &[]) >= 1.0);
    assert_eq!(value("licentia_imports_running", &[]), 0.0);
    assert!(scrape.docs.contains_key("licentia_http_requests_total"));

    // The logs: the request ids, and none of the secrets.
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("trace-me-42"), "{logged}");
    assert!(logged.contains(&generated));
    let session = cookie.split_once('=').unwrap().1;
    for secret in [domain::demo::ADMIN_PASSWORD, secret, reset_token, session] {
        assert!(
            !logged.contains(secret),
            "{secret} is in the logs:\n{logged}"
        );
    }
    for line in logged.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("JSON lines");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
