//! `cargo bench -p licentia --bench licence_check`: see BENCHMARKS.md. Needs `wrk` (Debian).
//!
//! Licence checks per second over HTTP (`GET /api/v1/users/{id}/licence?product=reader` with a
//! service account's bearer token, on the real router over SQLite: token lookup, principal,
//! access check, the user's licences and the bundle's products) against a bare axum handler
//! that returns the same JSON without a database, each served on its own port in this process
//! and loaded by `wrk` (1 thread, 16 connections, 10 s), alternating, three rounds each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::process::Command;

use axum::routing::get;
use chrono::{Duration, Utc};
use domain::entities::subscription;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

const ROUNDS: usize = 3;

struct Figures {
    requests_per_second: f64,
    p99_ms: f64,
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{address}")
}

fn wrk(url: &str, token: &str) -> Figures {
    let output = Command::new("wrk")
        .args(["-t1", "-c16", "-d10s", "--latency"])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .arg(url)
        .output()
        .expect("wrk is needed: apt-get install wrk");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let requests_per_second = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no rate in wrk output:\n{text}"));
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no p99 in wrk output:\n{text}"));
    let non_2xx = text.contains("Non-2xx");
    assert!(!non_2xx, "errors during the run:\n{text}");
    Figures {
        requests_per_second,
        p99_ms: milliseconds(p99),
    }
}

/// wrk's latency ("812.00us", "1.23ms", "2.01s") in milliseconds.
fn milliseconds(value: &str) -> f64 {
    let (number, factor) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (value, 1.0)
    };
    number.parse::<f64>().unwrap() * factor
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    domain::demo::seed(&db).await.unwrap();
    domain::products::insert_product(&db, "reader", "Reader")
        .await
        .unwrap();
    let today = Utc::now().date_naive();
    let admin = domain::auth::sign_in(
        &db,
        domain::demo::ADMIN_USERNAME,
        domain::demo::ADMIN_PASSWORD,
        None,
    )
    .await
    .unwrap();
    let admin = domain::Principal::load(&db, admin.user_id).await.unwrap();
    let tree = domain::sites::tree(&db, &admin).await.unwrap();
    let root = tree.iter().find(|s| s.parent_id.is_none()).unwrap().id;
    let root_id = domain::sites::resolve(&db, root).await.unwrap().site.id;
    subscription::ActiveModel {
        serial: Set("60000001".into()),
        seats: Set(20),
        valid_from: Set(today - Duration::days(10)),
        valid_until: Set(today + Duration::days(300)),
        locale: Set("nl".into()),
        site_id: Set(Some(root_id)),
        created_at: Set(Utc::now()),
        assigned: Set(0),
        bundle_id: Set(None),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let pupil = domain::users::create(
        &db,
        &admin,
        root,
        domain::users::NewUserForm {
            username: "pupil.bench".into(),
            first_name: "Pia".into(),
            last_name: "Bench".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    domain::licences::assign(&db, &admin, pupil.public_id, today)
        .await
        .unwrap();
    let party = domain::api_tokens::create_service_account(&db, &admin, root, "Bench app", true)
        .await
        .unwrap();
    let token = domain::api_tokens::issue(
        &db,
        &admin,
        party.public_id,
        domain::api_tokens::NewToken {
            name: "bench".into(),
            expires_on: String::new(),
        },
        today,
    )
    .await
    .unwrap()
    .secret;

    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("licentia")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let config = licentia::config::Config::from_env();
    let real = serve(licentia::routes::app(&config, db.clone(), leptos)).await;
    let path = format!("/api/v1/users/{}/licence?product=reader", pupil.public_id);

    // The same answer, without a database.
    let body = reqwest_free_get(&real, &path, &token).await;
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["valid"], true, "{body}");
    let bare = serve(axum::Router::new().route(
        "/api/v1/users/{user}/licence",
        get(move || {
            let answer = answer.clone();
            async move { axum::Json(answer) }
        }),
    ))
    .await;

    let mut bare_runs = Vec::new();
    let mut real_runs = Vec::new();
    for _ in 0..ROUNDS {
        bare_runs.push(wrk(&format!("{bare}{path}"), &token));
        real_runs.push(wrk(&format!("{real}{path}"), &token));
    }
    let bare_rate = median(bare_runs.iter().map(|f| f.requests_per_second).collect());
    let real_rate = median(real_runs.iter().map(|f| f.requests_per_second).collect());
    let bare_p99 = median(bare_runs.iter().map(|f| f.p99_ms).collect());
    let real_p99 = median(real_runs.iter().map(|f| f.p99_ms).collect());
    println!(
        "bare axum handler (same JSON, no database): {bare_rate:.0} req/s, p99 {bare_p99:.2} ms"
    );
    println!("licence check on SQLite (token, access, licences): {real_rate:.0} req/s, p99 {real_p99:.2} ms");
    println!(
        "ratio licence checks / bare: {:.2} (goal: at least 0.50)",
        real_rate / bare_rate
    );
    for (n, (b, r)) in bare_runs.iter().zip(&real_runs).enumerate() {
        println!(
            "  round {}: bare {:.0} req/s (p99 {:.2} ms), real {:.0} req/s (p99 {:.2} ms)",
            n + 1,
            b.requests_per_second,
            b.p99_ms,
            r.requests_per_second,
            r.p99_ms
        );
    }
}

/// One GET with the token over a plain TCP connection (HTTP/1.1), answering the body.
async fn reqwest_free_get(base: &str, path: &str, token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_string()
}
