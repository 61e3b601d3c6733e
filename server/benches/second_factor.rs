//! `cargo bench -p licentia --bench second_factor`: see BENCHMARKS.md.
//! `LICENTIA_BENCH_PG=postgres://user@host:port` adds a run on PostgreSQL (a new database).
//!
//! A password sign-in followed by its second step (the `login` server function, then
//! `login_second_factor` with the code an authenticator app shows now) against a password
//! sign-in alone, both over HTTP on the real router, alternating, one distinct user each round
//! (a code is accepted once, and each account has its own throttle): USERS users with an app
//! and as many without. The figure is median(password + code) / median(password).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::time::{Duration, Instant};

use chrono::Utc;
use http::StatusCode;
use uuid::Uuid;

#[allow(dead_code)] // the benchmark uses only part of the helpers
#[path = "../tests/it/support/http.rs"]
mod http_support;

const PASSWORD: &str = "Bench-Password-2026";

fn users() -> usize {
    std::env::var("USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

fn code_now(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret.as_ref().to_vec())
        .build()
        .unwrap()
        .generate(u64::try_from(Utc::now().timestamp()).unwrap())
        .to_string()
}

/// A user with a password in the demo's root site; with `app`, an authenticator app set up
/// (confirmed with the code of a minute ago, so that the current one is still unused).
async fn person(db: &domain::Db, root: i32, username: &str, app: bool) -> Option<String> {
    let form = domain::users::NewUserForm {
        username: username.into(),
        first_name: "Bench".into(),
        last_name: "User".into(),
        password: PASSWORD.into(),
        ..Default::default()
    }
    .validate()
    .await
    .unwrap();
    let txn = db.write().await.unwrap();
    let created = domain::users::insert_unchecked(&*txn, root, form)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    if !app {
        return None;
    }
    let principal = domain::Principal::load(db, created.id).await.unwrap();
    let then = Utc::now() - chrono::TimeDelta::seconds(60);
    let started = domain::factors::enrol_totp(db, &principal, "Phone", then)
        .await
        .unwrap();
    let secret = totp_rs::Secret::try_from_base32(&started.secret).unwrap();
    let code = totp_rs::Builder::new()
        .with_secret(secret.as_ref().to_vec())
        .build()
        .unwrap()
        .generate(u64::try_from(then.timestamp()).unwrap())
        .to_string();
    domain::factors::confirm_totp(db, &principal, started.factor, &code, then)
        .await
        .unwrap();
    Some(started.secret)
}

async fn post(
    app: &axum::Router,
    cookie: &str,
    function: &str,
    body: String,
) -> (StatusCode, Option<String>) {
    let (status, session, _) = http_support::post_form(app, cookie, function, body).await;
    (status, session)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn run(db: domain::Db, label: &str) {
    domain::demo::seed(&db).await.unwrap();
    let root = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        domain::entities::site::Entity::find()
            .filter(domain::entities::site::Column::Name.eq(domain::demo::ORGANISATION))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
    };
    // Seats for everyone.
    {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        domain::entities::site::Entity::update_many()
            .col_expr(
                domain::entities::site::Column::SeatLimit,
                Expr::value(100_000),
            )
            .filter(domain::entities::site::Column::Id.eq(root.id))
            .exec(db.conn())
            .await
            .unwrap();
    }
    let n = users();
    let mut plain = Vec::with_capacity(n);
    let mut with_app = Vec::with_capacity(n);
    for i in 0..=n {
        person(&db, root.id, &format!("plain.{i}"), false).await;
        plain.push(format!("plain.{i}"));
        let secret = person(&db, root.id, &format!("factor.{i}"), true)
            .await
            .unwrap();
        with_app.push((format!("factor.{i}"), secret));
    }
    let app = http_support::router(&db);
    let login = |username: &str| format!("username={username}&password={PASSWORD}&next=/admin");
    // Warm up both paths (user 0 of each).
    post(&app, "", "login", login(&plain[0])).await;
    let (_, waiting) = post(&app, "", "login", login(&with_app[0].0)).await;
    post(
        &app,
        &waiting.unwrap(),
        "login_second_factor",
        format!("code={}&next=/admin", code_now(&with_app[0].1)),
    )
    .await;

    let mut password_only = Vec::with_capacity(n);
    let mut with_code = Vec::with_capacity(n);
    for i in 1..=n {
        let start = Instant::now();
        let (status, session) = post(&app, "", "login", login(&plain[i])).await;
        password_only.push(start.elapsed());
        assert_eq!(status, StatusCode::OK);
        assert!(session.is_some());

        let (username, secret) = &with_app[i];
        let start = Instant::now();
        let (status, waiting) = post(&app, "", "login", login(username)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, session) = post(
            &app,
            &waiting.unwrap(),
            "login_second_factor",
            format!("code={}&next=/admin", code_now(secret)),
        )
        .await;
        with_code.push(start.elapsed());
        assert_eq!(status, StatusCode::OK, "second step of {username}");
        assert!(session.is_some());
    }
    let password_only = median(password_only);
    let with_code = median(with_code);
    println!("{label}: {n} users each way");
    println!("  password sign-in over HTTP:          {password_only:?} (median)");
    println!("  password + authenticator code:       {with_code:?} (median)");
    println!(
        "  ratio (password + code) / password:  {:.3}  (goal: at most 1.05)",
        with_code.as_secs_f64() / password_only.as_secs_f64()
    );
}

#[allow(dead_code)] // the benchmark uses part of the helpers
#[path = "../tests/it/support/databases.rs"]
mod databases;

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    run(
        domain::Db::connect_and_migrate(&url).await.unwrap(),
        "SQLite",
    )
    .await;
    std::fs::remove_dir_all(&dir).ok();
    if let Ok(server) = std::env::var("LICENTIA_BENCH_PG") {
        let url = databases::create_postgres(&server, "bench").await;
        let db = domain::Db::connect_and_migrate(&url).await.unwrap();
        run(db.clone(), "PostgreSQL").await;
        db.close().await.ok();
        databases::drop_postgres(&url).await;
    }
}
