//! A burst of sign-ins on a full password pool: every request is answered, 200 or 503 with
//! `Retry-After` and the code `server_busy` (never a 5xx of another kind, never a thread or
//! 19 MiB more per request); a refused attempt is not counted against the account.
//!
//! Its own test binary (the others are one, `it/`): it sizes the process's one password pool
//! to a single worker and holds its places, which would refuse every other test's sign-in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use axum::body::Body;
use domain::auth::password::{self, PoolSize};
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use uuid::Uuid;

#[allow(dead_code)] // each test uses part of the helpers
#[path = "it/support/http.rs"]
mod http_support;

async fn login(app: &axum::Router, password: &str) -> (StatusCode, Option<String>, String) {
    let response = app
        .clone()
        .oneshot(
            Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(Body::from(format!(
                    "username={}&password={password}&next=/admin",
                    domain::demo::ADMIN_USERNAME
                )))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        retry_after,
        String::from_utf8_lossy(&body).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_a_burst_with_busy_and_not_count_it_against_the_account() {
    // One worker and one place in the queue: the third concurrent sign-in is refused.
    let size = password::configure(PoolSize {
        workers: 1,
        queue: 1,
    });
    assert_eq!(
        size,
        PoolSize {
            workers: 1,
            queue: 1
        }
    );
    let dir = std::env::temp_dir().join(format!("licentia-busy-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db =
        domain::Db::connect_and_migrate(&format!("sqlite://{}", dir.join("busy.db").display()))
            .await
            .unwrap();
    domain::demo::seed(&db).await.unwrap();
    let app = http_support::router(&db);

    // The pool is full (its worker and its place in the queue taken): twelve wrong passwords
    // at once are all told to come back, none is checked.
    let running = password::admit().unwrap();
    let waiting = password::admit().unwrap();
    let attempts: Vec<_> = (0..12)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { login(&app, "wrong-password").await })
        })
        .collect();
    for attempt in attempts {
        let (status, retry_after, body) = attempt.await.unwrap();
        assert_eq!(status.as_u16(), 503, "{body}");
        assert_eq!(retry_after.as_deref(), Some("1"), "{body}");
        assert!(body.contains("server_busy"), "{body}");
    }
    drop((running, waiting));
    // With room again, wrong passwords are checked and counted: four, one short of a wait.
    for _ in 0..domain::auth::throttle::ACCOUNT_THRESHOLD - 1 {
        let (status, _, body) = login(&app, "wrong-password").await;
        assert_eq!(status.as_u16(), 422, "{body}");
        assert!(body.contains("invalid_credentials"), "{body}");
    }
    // Had the twelve refused ones counted, the account would have to wait now.
    let (status, _, body) = login(&app, domain::demo::ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(password::state().waiting, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
