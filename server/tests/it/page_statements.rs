//! The SQL statements of one server-side rendered administrator page, counted and listed
//! through sea-orm's metric callback (the benchmark `admin_page` measures the same with 5,000
//! sites and 1,000 organisations). A bound that holds today (issue 23's 15), so that a page that
//! reads more fails here first.
use std::sync::{Arc, Mutex};

use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::http as http_support;

/// What a warm page load of `/admin` reads at most: issue 23's 15. The page's server
/// functions share one principal and, through the request's memo, each site (with its
/// ancestry, in one statement), the signed-in user's row and the organisation's subscriptions;
/// an administrator's single reach is the tree's top without another read (25 before, 50 before
/// that).
const AT_MOST: usize = 15;

/// The demo on a fresh SQLite file, every statement it runs logged (its first 160 characters).
async fn demo_watched() -> (domain::Db, Arc<Mutex<Vec<String>>>, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("licentia-statements-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("page.db").display());
    let mut db = domain::Db::connect_and_migrate(&url).await.unwrap();
    domain::demo::seed(&db).await.unwrap();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    db.set_metric_callback(move |info| {
        if let Ok(mut log) = log.lock() {
            log.push(info.statement.sql.chars().take(160).collect());
        }
    });
    (db, seen, dir)
}

/// The statements of a warm load of `path` (the first load fills the process's caches; the
/// second is what every later load reads), listed; the page must hold `expected`.
async fn warm_load(
    app: &axum::Router,
    cookie: &str,
    path: &str,
    expected: &str,
    seen: &Mutex<Vec<String>>,
) -> Vec<String> {
    for round in 0..2 {
        if round == 1 {
            seen.lock().unwrap().clear();
        }
        let response = app
            .clone()
            .oneshot(
                Request::get(path)
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        // The page streams: its statements run until its last byte.
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains(expected));
    }
    let statements = seen.lock().unwrap().clone();
    println!("{} statements for a warm {path}:", statements.len());
    for sql in &statements {
        println!("  {sql}");
    }
    statements
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_render_the_administrator_page_in_a_bounded_number_of_statements() {
    let (db, seen, dir) = demo_watched().await;
    let app = http_support::router(&db);
    let cookie = http_support::sign_in_as(
        &app,
        domain::demo::ADMIN_USERNAME,
        domain::demo::ADMIN_PASSWORD,
    )
    .await;
    let statements = warm_load(&app, &cookie, "/admin?all=1", "De Klimop", &seen).await;
    assert!(
        statements.len() <= AT_MOST,
        "{} statements for /admin (at most {AT_MOST}):\n{}",
        statements.len(),
        statements.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_render_the_operators_page_in_a_bounded_number_of_statements() {
    let (db, seen, dir) = demo_watched().await;
    domain::operators::create(
        &db,
        domain::users::NewUserForm {
            username: "page.operator".into(),
            first_name: "Olga".into(),
            last_name: "Operator".into(),
            password: "Operator-2026!".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let app = http_support::router(&db);
    // Operators need a second factor; within the grace period they go on without one.
    let waiting = http_support::sign_in_as(&app, "page.operator", "Operator-2026!").await;
    let (status, renewed, _) =
        http_support::post_form(&app, &waiting, "finish_enrolment", "next=/".into()).await;
    assert_eq!(status, 200);
    let cookie = renewed.unwrap_or(waiting);
    let statements = warm_load(&app, &cookie, "/admin", "site-tree", &seen).await;
    // As many as an administrator's, whatever the number of organisations (the admin_page
    // benchmark has 1,002): the first organisations by name are read once for the tree and the
    // page's opening site, and the operator's own site comes with their row.
    assert!(
        statements.len() <= AT_MOST,
        "{} statements for an operator's /admin (at most {AT_MOST}):\n{}",
        statements.len(),
        statements.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
