//! `/healthz`: the process answers. `/readyz`: it should be sent requests (the database
//! answers with the schema this build expects, its workers run, on PostgreSQL it hears other
//! processes' changes, and it is not shutting down); 503 with the reason otherwise.
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;

use crate::lifecycle::Lifecycle;

#[derive(Clone)]
pub struct Probe {
    pub db: domain::Db,
    pub lifecycle: Arc<Lifecycle>,
}

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

#[derive(Serialize)]
struct Readiness {
    ready: bool,
    /// Why not, when not: `draining`, `database`, `migrations_pending`, `worker_stopped:<name>`,
    /// `not_listening`.
    problems: Vec<String>,
}

pub async fn readyz(State(probe): State<Probe>) -> impl IntoResponse {
    let mut problems = Vec::new();
    if probe.lifecycle.draining() {
        problems.push("draining".to_string());
    }
    match domain::health::database(&probe.db).await {
        Ok(()) => {}
        Err(domain::health::NotReady::Database) => problems.push("database".into()),
        Err(domain::health::NotReady::PendingMigrations(n)) => {
            problems.push(format!("migrations_pending:{n}"))
        }
    }
    for name in probe.lifecycle.stopped_workers() {
        problems.push(format!("worker_stopped:{name}"));
    }
    if domain::cache::listening() == Some(false) {
        problems.push("not_listening".into());
    }
    let ready = problems.is_empty();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(Readiness { ready, problems }))
}
