//! A burst of sign-ins on a full password pool: every request is answered, 200 or 503 with
//! `Retry-After` and the code `server_busy` (never a 5xx of another kind, never a thread or
//! 19 MiB more per request); a refused attempt is not counted against the account.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use axum::body::Body;
use domain::auth::password::{self, PoolSize};
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use uuid::Uuid;

#[allow(dead_code)] // each test uses part of the helpers
#[path = "support/http.rs"]
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

    // Twelve wrong passwords at once.
    let attempts: Vec<_> = (0..12)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { login(&app, "wrong-password").await })
        })
        .collect();
    let (mut refused, mut busy) = (0, 0);
    for attempt in attempts {
        let (status, retry_after, body) = attempt.await.unwrap();
        match status.as_u16() {
            503 => {
                busy += 1;
                assert_eq!(retry_after.as_deref(), Some("1"), "{body}");
                assert!(body.contains("server_busy"), "{body}");
            }
            401 | 422 => {
                refused += 1;
                assert!(body.contains("invalid_credentials"), "{body}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    eprintln!("wrong passwords checked: {refused}, refused as busy: {busy}");
    assert!(busy > 0, "the pool never filled");
    assert!(refused > 0, "nothing was checked");
    // Fewer than five were checked: had the busy ones counted, the account would wait now.
    assert!(refused < domain::auth::throttle::ACCOUNT_THRESHOLD);
    let (status, _, body) = login(&app, domain::demo::ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(password::state().waiting, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
