//! `cargo bench -p licentia --bench scim`: see BENCHMARKS.md.
//! `LICENTIA_BENCH_PG=postgres://user@host:port` adds a run on PostgreSQL (a new database).
//!
//! SCIM creates (`POST /scim/v2/Users` over TCP with a bearer token, on the real router: the
//! connection, the JSON, the domain's create, the resource back) against the same creates
//! through the domain function (`domain::scim::write::create` with the same JSON read), each
//! with 4 callers at once, 400 distinct new users a round, alternating, three rounds each,
//! medians of the rates compared. Every user is new (the path every provider's create takes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use uuid::Uuid;

#[allow(dead_code)] // the benchmark uses part of the helpers
#[path = "../tests/it/support/databases.rs"]
mod databases;
#[path = "support/seed.rs"]
mod seed;

const ROUNDS: usize = 3;
const PER_ROUND: usize = 400;
const CALLERS: usize = 4;

fn person(tag: &str) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("scim.{tag}"),
        "externalId": format!("ext-{tag}"),
        "name": {"givenName": "Anna", "familyName": format!("Janssens {tag}")},
        "emails": [{"value": format!("scim.{tag}@school.example"), "type": "work", "primary": true}],
        "active": true
    })
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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// Runs `PER_ROUND` creates by `CALLERS` at once; creates per second.
async fn round<F, Fut>(create: F) -> f64
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut callers = Vec::new();
    for _ in 0..CALLERS {
        let (next, create) = (next.clone(), create.clone());
        callers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= PER_ROUND {
                    break;
                }
                create(n).await;
            }
        }));
    }
    for caller in callers {
        caller.await.unwrap();
    }
    PER_ROUND as f64 / started.elapsed().as_secs_f64()
}

async fn measure(backend: &str, db: domain::Db) {
    domain::demo::seed(&db).await.unwrap();
    seed::root_with_room(&db, 100_000).await;
    let token = domain::api_tokens::issue_unchecked(
        &db,
        domain::demo::ADMIN_USERNAME,
        domain::api_tokens::NewToken {
            name: "scim bench".into(),
            ..Default::default()
        },
        wire::time::today(),
    )
    .await
    .unwrap()
    .secret;
    let connection = domain::scim::connect(&db, &token, wire::time::today())
        .await
        .unwrap();
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("licentia")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let config = licentia::config::Config::from_env();
    let base = serve(licentia::routes::app(&config, db.clone(), leptos)).await;
    let client = reqwest::Client::new();

    let mut direct = Vec::new();
    let mut over_http = Vec::new();
    for r in 0..ROUNDS {
        let (db, principal, site) = (db.clone(), connection.principal.clone(), connection.site);
        direct.push(
            round(move |n| {
                let (db, principal) = (db.clone(), principal.clone());
                async move {
                    let body = person(&format!("d{r}.{n}")).to_string();
                    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
                    domain::scim::write::create(
                        &db,
                        &principal,
                        site,
                        domain::scim::users::ScimUserInput::from_json(&json),
                    )
                    .await
                    .unwrap();
                }
            })
            .await,
        );
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        over_http.push(
            round(move |n| {
                let (client, base, token) = (client.clone(), base.clone(), token.clone());
                async move {
                    let response = client
                        .post(format!("{base}/scim/v2/Users"))
                        .bearer_auth(&token)
                        .header("content-type", "application/scim+json")
                        .body(person(&format!("h{r}.{n}")).to_string())
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
                }
            })
            .await,
        );
    }
    let (direct, over_http) = (median(direct), median(over_http));
    println!(
        "{backend}: domain creates {direct:.0}/s, SCIM creates over HTTP {over_http:.0}/s; \
         ratio {:.3} (goal at least 0.7)",
        over_http / direct
    );
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    if std::env::var("LICENTIA_BENCH_SQLITE").as_deref() != Ok("0") {
        measure(
            "SQLite",
            domain::Db::connect_and_migrate(&url).await.unwrap(),
        )
        .await;
    }
    if let Ok(server) = std::env::var("LICENTIA_BENCH_PG") {
        let url = databases::create_postgres(&server, "bench").await;
        let db = domain::Db::connect_and_migrate(&url).await.unwrap();
        tokio::spawn(domain::cache::listen(db.clone()));
        measure("PostgreSQL", db).await;
    }
    std::fs::remove_dir_all(&dir).ok();
}
