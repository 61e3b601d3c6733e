//! `/metrics` in Prometheus's text format, through the `metrics` facade and its Prometheus
//! exporter. Counters and histograms are recorded where things happen (requests here, sign-ins
//! and licence checks in the domain); gauges of state (job queues, running imports, the
//! database pool, the password pool) are read when scraped.
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets in seconds: 1 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Licence checks read by one statement: 1 to 64 (see `domain::licences`).
const BATCH_SIZES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder (the first call; later calls, e.g. several routers in one test
/// process, share it). None when another recorder was installed first.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .ok()?
                .set_buckets_for_metric(
                    Matcher::Full("licentia_licence_check_batch_size".into()),
                    BATCH_SIZES,
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => {
                    describe();
                    // Histograms keep their samples until the upkeep folds them into buckets:
                    // every few seconds, scraped or not, so that memory stays flat.
                    let upkeep = handle.clone();
                    std::thread::Builder::new()
                        .name("metrics-upkeep".into())
                        .spawn(move || loop {
                            std::thread::sleep(std::time::Duration::from_secs(5));
                            upkeep.run_upkeep();
                        })
                        .ok()?;
                    Some(handle)
                }
                Err(err) => {
                    tracing::warn!(%err, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "licentia_http_requests_total",
        "HTTP requests by route, method and status"
    );
    describe_histogram!(
        "licentia_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by route and method"
    );
    describe_counter!(
        "licentia_sign_ins_total",
        "Password sign-ins by outcome (an error code, or success)"
    );
    describe_counter!(
        "licentia_licence_checks_total",
        "Licence checks by outcome (valid, invalid, refused)"
    );
    describe_histogram!(
        "licentia_licence_check_batch_size",
        "Licence checks read together by one statement"
    );
    describe_gauge!("licentia_jobs", "Jobs not done, by kind and status");
    describe_gauge!(
        "licentia_jobs_oldest_due_seconds",
        "Age of the oldest due job, by kind and status"
    );
    describe_gauge!("licentia_imports_running", "Imports not finished");
    describe_gauge!(
        "licentia_import_rows_processed",
        "Rows processed of the running imports"
    );
    describe_gauge!(
        "licentia_import_rows_total",
        "Rows in all of the running imports"
    );
    describe_gauge!(
        "licentia_db_pool_connections",
        "Database connections open in this process"
    );
    describe_gauge!(
        "licentia_db_pool_idle",
        "Idle database connections in this process"
    );
    describe_gauge!(
        "licentia_password_workers",
        "Password hashes that may run at once"
    );
    describe_gauge!("licentia_password_running", "Password hashes running now");
    describe_gauge!(
        "licentia_password_waiting",
        "Sign-ins waiting for a password worker"
    );
    describe_gauge!(
        "licentia_password_queue_limit",
        "Sign-ins that may wait before 503"
    );
    describe_gauge!(
        "licentia_memory_allocated_bytes",
        Unit::Bytes,
        "Bytes allocated by the process (jemalloc)"
    );
    describe_gauge!(
        "licentia_memory_resident_bytes",
        Unit::Bytes,
        "Bytes the allocator keeps resident (jemalloc)"
    );
}

/// Label sets of the job gauges seen before: set to zero when a queue empties.
static SEEN_QUEUES: Mutex<Option<HashSet<(String, String)>>> = Mutex::new(None);

async fn refresh(db: &domain::Db) {
    match domain::health::queues(db).await {
        Ok(queues) => {
            let now: HashSet<(String, String)> = queues
                .iter()
                .map(|q| (q.kind.clone(), q.status.clone()))
                .collect();
            for q in &queues {
                let labels = [("kind", q.kind.clone()), ("status", q.status.clone())];
                metrics::gauge!("licentia_jobs", &labels).set(q.count as f64);
                metrics::gauge!("licentia_jobs_oldest_due_seconds", &labels)
                    .set(q.oldest_due_seconds);
            }
            if let Ok(mut seen) = SEEN_QUEUES.lock() {
                let seen = seen.get_or_insert_with(HashSet::new);
                for (kind, status) in seen.difference(&now) {
                    let labels = [("kind", kind.clone()), ("status", status.clone())];
                    metrics::gauge!("licentia_jobs", &labels).set(0.0);
                    metrics::gauge!("licentia_jobs_oldest_due_seconds", &labels).set(0.0);
                }
                seen.extend(now);
            }
        }
        Err(err) => tracing::warn!(%err, "reading the job queues for metrics"),
    }
    match domain::health::imports(db).await {
        Ok(imports) => {
            metrics::gauge!("licentia_imports_running").set(imports.running as f64);
            metrics::gauge!("licentia_import_rows_processed").set(imports.processed_rows as f64);
            metrics::gauge!("licentia_import_rows_total").set(imports.total_rows as f64);
        }
        Err(err) => tracing::warn!(%err, "reading the imports for metrics"),
    }
    let (open, idle) = db.pool_state();
    metrics::gauge!("licentia_db_pool_connections").set(f64::from(open));
    metrics::gauge!("licentia_db_pool_idle").set(idle as f64);
    let pool = domain::auth::password::state();
    metrics::gauge!("licentia_password_workers").set(pool.workers as f64);
    metrics::gauge!("licentia_password_running").set(pool.running as f64);
    metrics::gauge!("licentia_password_waiting").set(pool.waiting as f64);
    metrics::gauge!("licentia_password_queue_limit").set(pool.queue as f64);
    allocator();
}

/// What the allocator holds: the bytes the program has allocated, and the bytes of memory the
/// allocator keeps resident for them (the difference is freed memory not yet given back).
#[cfg(not(target_env = "msvc"))]
fn allocator() {
    use tikv_jemalloc_ctl::{epoch, stats};
    if epoch::advance().is_err() {
        return;
    }
    if let Ok(bytes) = stats::allocated::read() {
        metrics::gauge!("licentia_memory_allocated_bytes").set(bytes as f64);
    }
    if let Ok(bytes) = stats::resident::read() {
        metrics::gauge!("licentia_memory_resident_bytes").set(bytes as f64);
    }
}

#[cfg(target_env = "msvc")]
fn allocator() {}

pub async fn scrape(State(db): State<domain::Db>) -> impl IntoResponse {
    let Some(handle) = install() else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain")],
            String::new(),
        );
    };
    refresh(&db).await;
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
}
