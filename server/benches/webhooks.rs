//! `cargo bench -p licentia --bench webhooks`: see BENCHMARKS.md.
//! `LICENTIA_BENCH_PG=postgres://user@host:port` adds a run on PostgreSQL (a new database).
//!
//! Webhook fan-out: EVENTS events (default 10,000) to 3 endpoints, 30,000 deliveries, queued in
//! the job table (not timed) in transactions of 1,000 events (an import's journal), then one
//! event a transaction (changes made one at a time), each delivered by the server's worker
//! (`WebhookWorker::drain`: four loops each claiming up to 64 jobs of up to 16 messages,
//! signing, posting 16 at a time to a receiver on loopback and recording the outcomes) until
//! none is left, against the same number of bare HTTP POSTs of the same bodies to the same
//! receiver, 16 at a time. The ratio is time to all delivered / time of the bare POSTs. Also
//! printed: the CPU time of each phase (this process, PostgreSQL's) and the worker's
//! statements by time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use sea_orm::{EntityTrait, PaginatorTrait};
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

/// Statements run while the worker is timed: (count, time) by their first words.
static PROFILE: std::sync::Mutex<Vec<(String, u32, f64)>> = std::sync::Mutex::new(Vec::new());
static PROFILING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn profile(info: &sea_orm::metric::Info<'_>) {
    if !PROFILING.load(Ordering::Relaxed) {
        return;
    }
    let key: String = info.statement.sql.chars().take(48).collect();
    let mut profile = PROFILE.lock().unwrap();
    match profile.iter_mut().find(|(k, _, _)| *k == key) {
        Some(row) => {
            row.1 += 1;
            row.2 += info.elapsed.as_secs_f64();
        }
        None => profile.push((key, 1, info.elapsed.as_secs_f64())),
    }
}

/// CPU seconds used so far by this process and by the PostgreSQL server's processes (from
/// /proc, in clock ticks of 10 ms): where the time of a phase went on a machine with 2 cores.
fn cpu() -> (f64, f64) {
    let ticks = |stat: &str| -> f64 {
        // After the command's closing parenthesis: state, then fields 4.., utime and stime are
        // the 14th and 15th fields of the line.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let get = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (get(11) + get(12)) / 100.0
    };
    let own = ticks(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default());
    let mut postgres = 0.0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        if stat.contains("(postgres)") {
            postgres += ticks(&stat);
        }
    }
    (own, postgres)
}

async fn measure(backend: &str, mut db: domain::Db) {
    db.set_metric_callback(profile);
    domain::roles::ensure_builtin(db.conn()).await.unwrap();
    let root = domain::sites::insert_root(&db, "Bench", 10).await.unwrap();
    let (url, count) = receiver().await;
    domain::webhooks::allow_loopback(true);
    for per_transaction in [1000, 1] {
        scenario(backend, &db, &root, &url, &count, per_transaction).await;
    }
}

/// Events raised `per_transaction` at a time (1,000: an import's or a rollover's journal; 1: a
/// change made on a page, a session opened).
async fn scenario(
    backend: &str,
    db: &domain::Db,
    root: &domain::entities::site::Model,
    url: &str,
    count: &AtomicU64,
    per_transaction: usize,
) {
    let n = events();
    for _ in 0..ENDPOINTS {
        domain::webhooks::register_unchecked(
            db,
            domain::webhooks::NewEndpoint {
                site: None,
                url: url.to_string(),
                events: vec!["user.created".into()],
                description: String::new(),
            },
        )
        .await
        .unwrap();
    }
    let before = domain::entities::webhook_delivery::Entity::find()
        .count(db.conn())
        .await
        .unwrap();
    // The events, queued as the journal would (not timed).
    for chunk in (0..n).collect::<Vec<_>>().chunks(per_transaction) {
        let txn = db.write().await.unwrap();
        let events = chunk
            .iter()
            .map(|i| domain::webhooks::Emitted {
                kind: "user.created",
                site: root,
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
    assert_eq!((queued - before) as usize, n * ENDPOINTS);
    let body = domain::entities::webhook_delivery::Entity::find()
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .payload;

    // Bare: the same number of POSTs of the same body, 16 at a time.
    let client = reqwest::Client::new();
    let cpu_before = cpu();
    let started = Instant::now();
    futures::stream::iter(0..n * ENDPOINTS)
        .map(|_| {
            let (client, body) = (client.clone(), body.clone());
            async move {
                let response = client.post(url).body(body).send().await.unwrap();
                assert_eq!(response.status(), 204);
            }
        })
        .buffer_unordered(licentia::workers::webhooks::IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    let bare = started.elapsed().as_secs_f64();
    let cpu_bare = (cpu().0 - cpu_before.0, cpu().1 - cpu_before.1);
    count.store(0, Ordering::Relaxed);

    // The worker, until everything is delivered.
    let mut config = licentia::config::Config::from_env();
    config.webhook_loopback = true;
    let worker = licentia::workers::webhooks::WebhookWorker::new(db.clone(), &config).unwrap();
    PROFILE.lock().unwrap().clear();
    PROFILING.store(true, Ordering::Relaxed);
    let cpu_before = cpu();
    let started = Instant::now();
    while worker.drain().await.unwrap() > 0 {}
    let delivered = started.elapsed().as_secs_f64();
    PROFILING.store(false, Ordering::Relaxed);
    let cpu_worker = (cpu().0 - cpu_before.0, cpu().1 - cpu_before.1);
    assert_eq!(count.load(Ordering::Relaxed) as usize, n * ENDPOINTS);
    println!(
        "{backend}, {per_transaction} event(s) a transaction: {} deliveries; bare POSTs \
         {bare:.2} s ({:.0}/s), worker {delivered:.2} s ({:.0}/s); ratio {:.2} (goal at most 2)",
        n * ENDPOINTS,
        (n * ENDPOINTS) as f64 / bare,
        (n * ENDPOINTS) as f64 / delivered,
        delivered / bare
    );
    println!(
        "  CPU: bare {:.2} s here + {:.2} s PostgreSQL; worker {:.2} s here + {:.2} s PostgreSQL",
        cpu_bare.0, cpu_bare.1, cpu_worker.0, cpu_worker.1
    );
    // Where the worker's database time went (statements overlap across its loops).
    let mut profile = PROFILE.lock().unwrap().clone();
    profile.sort_by(|a, b| b.2.total_cmp(&a.2));
    for (sql, count, seconds) in profile {
        println!("  {seconds:7.3} s {count:6}x  {sql}");
    }
    // The next scenario starts without these endpoints.
    domain::entities::webhook_endpoint::Entity::delete_many()
        .exec(db.conn())
        .await
        .unwrap();
}

#[allow(dead_code)] // the benchmark uses part of the helpers
#[path = "../tests/it/support/databases.rs"]
mod databases;

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
