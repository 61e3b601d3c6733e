//! `cargo bench -p licentia --bench webhooks`: see BENCHMARKS.md.
//! `LICENTIA_BENCH_PG=postgres://user@host:port` adds a run on PostgreSQL (a new database).
//!
//! Webhook fan-out: EVENTS events (default 10,000) to 3 endpoints, 30,000 deliveries, queued in
//! the job table (not timed), then delivered by the server's worker (`WebhookWorker::drain`:
//! four loops each claiming 256 from the job table, signing, posting 16 at a time to a
//! receiver on loopback and recording the outcomes) until none is left, against the same number of bare HTTP POSTs of the same bodies
//! to the same receiver, 16 at a time. The ratio is time to all delivered / time of the bare
//! POSTs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use sea_orm::{ConnectionTrait, Database, EntityTrait, PaginatorTrait};
use uuid::Uuid;

const ENDPOINTS: usize = 3;

fn events() -> usize {
    std::env::var("EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// A receiver that counts what it gets and answers 204 at once.
async fn receiver() -> (String, Arc<AtomicU64>) {
    let count = Arc::new(AtomicU64::new(0));
    let seen = count.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hooks"), count)
}

async fn measure(backend: &str, db: domain::Db) {
    let n = events();
    domain::roles::ensure_builtin(db.conn()).await.unwrap();
    let root = domain::sites::insert_root(&db, "Bench", 10).await.unwrap();
    let (url, count) = receiver().await;
    domain::webhooks::allow_loopback(true);
    for _ in 0..ENDPOINTS {
        domain::webhooks::register_unchecked(
            &db,
            domain::webhooks::NewEndpoint {
                site: None,
                url: url.clone(),
                events: vec!["user.created".into()],
                description: String::new(),
            },
        )
        .await
        .unwrap();
    }
    // The events, queued as the journal would (not timed).
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let txn = db.write().await.unwrap();
        let events = chunk
            .iter()
            .map(|i| domain::webhooks::Emitted {
                kind: "user.created",
                site: &root,
                data: serde_json::json!({ "username": format!("pupil.{i:06}"), "changes": [] }),
            })
            .collect();
        domain::webhooks::emit(&*txn, events).await.unwrap();
        txn.commit().await.unwrap();
    }
    let queued = domain::entities::webhook_delivery::Entity::find()
        .count(db.conn())
        .await
        .unwrap();
    assert_eq!(queued as usize, n * ENDPOINTS);
    let body = domain::entities::webhook_delivery::Entity::find()
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .payload;

    // Bare: the same number of POSTs of the same body, 16 at a time.
    let client = reqwest::Client::new();
    let started = Instant::now();
    futures::stream::iter(0..n * ENDPOINTS)
        .map(|_| {
            let (client, url, body) = (client.clone(), url.clone(), body.clone());
            async move {
                let response = client.post(&url).body(body).send().await.unwrap();
                assert_eq!(response.status(), 204);
            }
        })
        .buffer_unordered(licentia::workers::webhooks::IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    let bare = started.elapsed().as_secs_f64();
    count.store(0, Ordering::Relaxed);

    // The worker, until everything is delivered.
    let mut config = licentia::config::Config::from_env();
    config.webhook_loopback = true;
    let worker = licentia::workers::webhooks::WebhookWorker::new(db.clone(), &config).unwrap();
    let started = Instant::now();
    while worker.drain().await.unwrap() > 0 {}
    let delivered = started.elapsed().as_secs_f64();
    assert_eq!(count.load(Ordering::Relaxed) as usize, n * ENDPOINTS);
    println!(
        "{backend}: {} deliveries; bare POSTs {bare:.2} s ({:.0}/s), worker {delivered:.2} s \
         ({:.0}/s); ratio {:.2} (goal at most 2)",
        n * ENDPOINTS,
        (n * ENDPOINTS) as f64 / bare,
        (n * ENDPOINTS) as f64 / delivered,
        delivered / bare
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
        let server = server.trim_end_matches('/');
        let name = format!("bench_{}", Uuid::new_v4().simple());
        let admin = Database::connect(format!("{server}/postgres"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let db = domain::Db::connect_and_migrate(&format!("{server}/{name}"))
            .await
            .unwrap();
        tokio::spawn(domain::cache::listen(db.clone()));
        measure("PostgreSQL", db).await;
    }
    std::fs::remove_dir_all(&dir).ok();
}
