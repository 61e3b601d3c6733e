//! `cargo bench -p licentia --bench sign_in`: see BENCHMARKS.md.
//!
//! A password sign-in over HTTP (the `login` server function on the real router: throttle
//! check, user lookup, argon2id verify, last sign-in, new session) against a bare argon2id
//! verify of the same stored hash with the same parameters, alternating, in one run; the
//! domain's `auth::sign_in` alone (no HTTP, no session) as a third series.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::time::{Duration, Instant};

use domain::entities::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

#[allow(dead_code)] // the benchmark uses only part of the helpers
#[path = "../tests/it/support/http.rs"]
mod http_support;
#[path = "support/seed.rs"]
mod seed;

const ROUNDS: usize = 100;

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let mut db = domain::Db::connect_and_migrate(&url).await.unwrap();
    db.set_metric_callback(|info| {
        if let Some(log) = LOG.lock().unwrap().as_mut() {
            log.push((info.statement.sql.clone(), info.elapsed));
        }
    });
    domain::demo::seed(&db).await.unwrap();
    let stored = user::Entity::find()
        .filter(user::Column::Username.eq(domain::demo::ADMIN_USERNAME))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    let app = http_support::router(&db);
    let password = domain::demo::ADMIN_PASSWORD;

    // Warm up both paths.
    http_support::sign_in_as(&app, domain::demo::ADMIN_USERNAME, password).await;
    bare_verify(&stored, password);

    let mut sign_ins = Vec::with_capacity(ROUNDS);
    let mut bare = Vec::with_capacity(ROUNDS);
    let mut domain_only = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        domain::auth::sign_in(&db, domain::demo::ADMIN_USERNAME, password, None)
            .await
            .unwrap();
        domain_only.push(start.elapsed());

        let start = Instant::now();
        http_support::sign_in_as(&app, domain::demo::ADMIN_USERNAME, password).await;
        sign_ins.push(start.elapsed());

        // On the blocking pool, where the server verifies too (same threads, same allocator).
        let hash = stored.clone();
        let start = Instant::now();
        let ok = tokio::task::spawn_blocking(move || bare_verify(&hash, password))
            .await
            .unwrap();
        bare.push(start.elapsed());
        assert!(ok);
    }
    let sign_in = median(sign_ins);
    let bare = median(bare);
    let domain_only = median(domain_only);
    let per_second = |d: Duration| 1.0 / d.as_secs_f64();
    println!(
        "stored hash parameters: {}",
        stored.split('$').nth(3).unwrap_or("?")
    );
    println!(
        "bare argon2id verify:     {:>8.2} ms  ({:.1}/s)",
        ms(bare),
        per_second(bare)
    );
    println!(
        "domain sign_in (no HTTP): {:>8.2} ms  ({:.1}/s)",
        ms(domain_only),
        per_second(domain_only)
    );
    println!(
        "password sign-in (HTTP):  {:>8.2} ms  ({:.1}/s)",
        ms(sign_in),
        per_second(sign_in)
    );
    println!(
        "sign-in rate / bare rate: {:.3}  (goal: at least 0.90)",
        per_second(sign_in) / per_second(bare)
    );
    // What one of each does in the database: statements and their time.
    *LOG.lock().unwrap() = Some(Vec::new());
    domain::auth::sign_in(&db, domain::demo::ADMIN_USERNAME, password, None)
        .await
        .unwrap();
    report("domain sign_in");
    http_support::sign_in_as(&app, domain::demo::ADMIN_USERNAME, password).await;
    report("sign-in over HTTP");
    *LOG.lock().unwrap() = None;
    burst(&db, &app, &stored).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Statements run while recording (`None`: not recording).
static LOG: std::sync::Mutex<Option<Vec<(String, Duration)>>> = std::sync::Mutex::new(None);

/// Prints and clears what was recorded.
fn report(what: &str) {
    let log = LOG.lock().unwrap().replace(Vec::new()).unwrap_or_default();
    let total: Duration = log.iter().map(|(_, d)| *d).sum();
    println!(
        "{what}: {} statements, {:.2} ms in the database",
        log.len(),
        ms(total)
    );
    for (sql, elapsed) in &log {
        let sql: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        println!(
            "  {:>6.3} ms  {}",
            ms(*elapsed),
            sql.chars().take(110).collect::<String>()
        );
    }
}

const BURST: usize = 500;

/// 500 people signing in at once (a school at nine): every one answered (200, or 503 with
/// Retry-After when the password pool's queue is full; nothing else), the process's peak
/// memory, and the rate of successful sign-ins against bare verifies run on as many threads as
/// the pool has workers.
async fn burst(db: &domain::Db, app: &axum::Router, stored: &str) {
    use sea_orm::sea_query::Expr;
    let root = seed::root_with_room(db, BURST as i32 + 100).await;
    seed::users(db, root.id, "burst", BURST).await;
    // Everyone's password is the administrator's (one hash, not 500).
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(stored))
        .filter(user::Column::Username.starts_with("burst."))
        .exec(db.conn())
        .await
        .unwrap();
    let pool = domain::auth::password::state();
    // Rounds of (the burst, then as many bare verifies): one burst admits only what the
    // queue holds (under a second of work), so one round alone swings with the machine.
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS_OF_BURSTS {
        let (ok, busy, other, sign_in_rate) = burst_once(app).await;
        let bare_rate = bare_rate(stored, ok, pool.workers).await;
        println!(
            "burst {round} of {BURST} sign-ins (pool: {} workers, queue {}): {ok} signed in, {busy} busy (503 + Retry-After), other answers {other:?}; \
             signed in {sign_in_rate:.1}/s, bare verifies on {} threads {bare_rate:.1}/s: ratio {:.3}",
            pool.workers,
            pool.queue,
            pool.workers,
            sign_in_rate / bare_rate
        );
        assert!(other.is_empty(), "every sign-in answered 200 or 503");
        ratios.push(sign_in_rate / bare_rate);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "  burst: median ratio {:.3} of {ROUNDS_OF_BURSTS} rounds (goal: at least 0.90)",
        ratios[ratios.len() / 2]
    );
    println!(
        "  peak resident memory of the process: {} MB (goal: under 300)",
        peak_mb()
    );
}

const ROUNDS_OF_BURSTS: usize = 5;

/// One burst: (signed in, busy, other statuses, successful sign-ins per second).
async fn burst_once(app: &axum::Router) -> (usize, usize, Vec<u16>, f64) {
    use axum::body::Body;
    use http::{header, Request};
    use tower::ServiceExt;
    let start = Instant::now();
    let tasks: Vec<_> = (0..BURST)
        .map(|n| {
            let app = app.clone();
            // Different addresses: the burst is a school's worth of people, not one guesser.
            let address = format!("10.1.{}.{}", n / 250, n % 250 + 1);
            tokio::spawn(async move {
                let response = app
                    .oneshot(
                        Request::post("/api/login")
                            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                            .header(header::ACCEPT, "application/json")
                            .header("x-forwarded-for", address)
                            .body(Body::from(format!(
                                "username=burst.{n:06}&password={}&next=/admin",
                                domain::demo::ADMIN_PASSWORD
                            )))
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                let retry = response.headers().contains_key(header::RETRY_AFTER);
                (response.status().as_u16(), retry, Instant::now())
            })
        })
        .collect();
    let (mut ok, mut busy, mut other) = (0usize, 0usize, Vec::new());
    let mut last_ok = start;
    for task in tasks {
        let (status, retry, at) = task.await.unwrap();
        match (status, retry) {
            (200, _) => {
                ok += 1;
                last_ok = last_ok.max(at);
            }
            (503, true) => busy += 1,
            _ => other.push(status),
        }
    }
    let rate = ok as f64 / (last_ok - start).as_secs_f64();
    (ok, busy, other, rate)
}

/// `count` bare verifies, `workers` at once: verifies per second.
async fn bare_rate(stored: &str, count: usize, workers: usize) -> f64 {
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(workers));
    let start = Instant::now();
    let bare: Vec<_> = (0..count)
        .map(|_| {
            let (gate, hash) = (gate.clone(), stored.to_string());
            tokio::spawn(async move {
                let _turn = gate.acquire().await.unwrap();
                tokio::task::spawn_blocking(move || {
                    bare_verify(&hash, domain::demo::ADMIN_PASSWORD)
                })
                .await
                .unwrap()
            })
        })
        .collect();
    for task in bare {
        assert!(task.await.unwrap());
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// VmHWM of this process, in MB.
fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// The server's verify alone (its memory on huge pages, as the pool's workers run it).
fn bare_verify(stored: &str, password: &str) -> bool {
    domain::auth::password::verify_on_this_thread(stored, password).unwrap()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
