//! `cargo bench -p licentia --bench licence_check`: see BENCHMARKS.md. Needs `wrk` (Debian);
//! `LICENTIA_BENCH_PG=postgres://user@host:port` adds a run on PostgreSQL (a new database).
//!
//! Licence checks over HTTP (`GET /api/v1/users/{id}/licence?product=reader` with a service
//! account's bearer token, on the real router: token → principal, access check, the user's
//! licences and products) for 10,000 distinct users picked at random by `wrk` (a Lua script),
//! against a bare axum handler that answers the same JSON without a database, each on its own
//! port in this process; 1 thread, 16 connections, 10 s a round, alternating, three rounds
//! each, medians compared. Twice: with the cache off (the path every different user takes)
//! and on (2 s). Statements per check are counted with the cache off.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use uuid::Uuid;

#[allow(dead_code)] // the benchmark uses part of the helpers
#[path = "../tests/it/support/databases.rs"]
mod databases;
#[path = "support/seed.rs"]
mod seed;

const ROUNDS: usize = 3;
const USERS: usize = 10_000;

struct Figures {
    requests_per_second: f64,
    p99_ms: f64,
    requests: f64,
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

fn wrk(url: &str, token: &str, script: &std::path::Path) -> Figures {
    let output = Command::new("wrk")
        .args(["-t1", "-c16", "-d10s", "--latency"])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .arg("-s")
        .arg(script)
        .arg(url)
        .output()
        .expect("wrk is needed: apt-get install wrk");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(str::trim))
            .unwrap_or_else(|| panic!("no {prefix} in wrk output:\n{text}"))
            .to_string()
    };
    assert!(!text.contains("Non-2xx"), "errors during the run:\n{text}");
    assert!(
        !text.contains("Socket errors"),
        "socket errors during the run:\n{text}"
    );
    let requests = text
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" requests in ")
                .map(|(n, _)| n.trim().to_string())
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    Figures {
        requests_per_second: field("Requests/sec:").parse().unwrap(),
        p99_ms: milliseconds(&field("99%")),
        requests,
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

/// The demo organisation with `USERS` pupils, each holding a licence for every product, and a
/// service account's token; answers the pupils' ids and the token.
async fn prepare(db: &domain::Db) -> (Vec<Uuid>, String) {
    domain::demo::seed(db).await.unwrap();
    domain::products::insert_product(db, "reader", "Reader")
        .await
        .unwrap();
    let today = wire::time::today();
    let admin = domain::auth::sign_in(
        db,
        domain::demo::ADMIN_USERNAME,
        domain::demo::ADMIN_PASSWORD,
        None,
    )
    .await
    .unwrap();
    let admin = domain::Principal::load(db, admin.user_id).await.unwrap();
    let tree = domain::sites::tree(db, &admin).await.unwrap();
    let root = tree.iter().find(|s| s.parent_id.is_none()).unwrap().id;
    let root_id = seed::root_with_room(db, USERS as i32 + 100).await.id;
    let created = seed::licensed_pupils(db, root_id, "60000001", USERS).await;
    let pupils: Vec<Uuid> = created.iter().map(|u| u.public_id).collect();
    // What an import of this many users does when it ends (the seed writes the rows directly).
    db.refresh_statistics().await;
    let party = domain::api_tokens::create_service_account(db, &admin, root, "Bench app", true)
        .await
        .unwrap();
    let token = domain::api_tokens::issue(
        db,
        &admin,
        party.public_id,
        domain::api_tokens::NewToken {
            name: "bench".into(),
            expires_on: String::new(),
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap()
    .secret;
    (pupils, token)
}

/// A wrk script asking for a random pupil's licence each time (the same seed every run).
fn script(dir: &std::path::Path, pupils: &[Uuid]) -> std::path::PathBuf {
    let mut lua = String::from("local paths = {\n");
    for pupil in pupils {
        lua.push_str(&format!(
            "  \"/api/v1/users/{pupil}/licence?product=reader\",\n"
        ));
    }
    lua.push_str("}\nmath.randomseed(42)\nrequest = function()\n  return wrk.format(\"GET\", paths[math.random(#paths)])\nend\n");
    let path = dir.join("random-users.lua");
    std::fs::write(&path, lua).unwrap();
    path
}

struct Mode {
    name: &'static str,
    ttl: Duration,
}

async fn measure(backend: &str, mut db: domain::Db, dir: &std::path::Path) {
    let (pupils, token) = prepare(&db).await;
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("licentia")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let config = licentia::config::Config::from_env();
    let real = serve(licentia::routes::app(&config, db.clone(), leptos)).await;
    let script = script(dir, &pupils);

    // The same answer, without a database.
    let sample = format!("/api/v1/users/{}/licence?product=reader", pupils[0]);
    let body = raw_get(&real, &sample, &token).await;
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

    for mode in [
        Mode {
            name: "cache off",
            ttl: Duration::ZERO,
        },
        Mode {
            name: "cache on (2 s)",
            ttl: Duration::from_secs(2),
        },
    ] {
        domain::cache::set_ttl(mode.ttl);
        let mut bare_runs = Vec::new();
        let mut real_runs = Vec::new();
        let mut per_check = Vec::new();
        for _ in 0..ROUNDS {
            bare_runs.push(wrk(&bare, &token, &script));
            let before = statements.load(Ordering::Relaxed);
            let run = wrk(&real, &token, &script);
            per_check.push((statements.load(Ordering::Relaxed) - before) as f64 / run.requests);
            real_runs.push(run);
        }
        let rate = |runs: &[Figures]| median(runs.iter().map(|f| f.requests_per_second).collect());
        let p99 = |runs: &[Figures]| median(runs.iter().map(|f| f.p99_ms).collect());
        println!(
            "{backend}, {}: bare {:.0} req/s (p99 {:.2} ms), licence checks {:.0} req/s (p99 {:.2} ms), \
             {:.2} statements per check; ratio {:.3}",
            mode.name,
            rate(&bare_runs),
            p99(&bare_runs),
            rate(&real_runs),
            p99(&real_runs),
            median(per_check),
            rate(&real_runs) / rate(&bare_runs),
        );
    }
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    // `LICENTIA_BENCH_SQLITE=0` leaves SQLite out (to profile the PostgreSQL run alone).
    if std::env::var("LICENTIA_BENCH_SQLITE").as_deref() != Ok("0") {
        measure("SQLite", db, &dir).await;
    }
    if let Ok(server) = std::env::var("LICENTIA_BENCH_PG") {
        let url = databases::create_postgres(&server, "bench").await;
        let db = domain::Db::connect_and_migrate(&url).await.unwrap();
        tokio::spawn(domain::cache::listen(db.clone()));
        measure("PostgreSQL", db, &dir).await;
    }
}

/// One GET with the token over a plain TCP connection (HTTP/1.1), answering the body.
async fn raw_get(base: &str, path: &str, token: &str) -> String {
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
