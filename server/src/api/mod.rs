//! The HTTP API v1 for licensed applications and external parties, under `/api/v1`, with its
//! OpenAPI 3.1 document at `/api/openapi.json`. Callers send `Authorization: Bearer <token>`
//! (an API token); every call goes through the same domain functions and access checks as the
//! pages, and errors are JSON with the same codes.
mod devices;
mod error;
mod extract;
mod handlers;
mod licence_files;
mod openapi;
pub mod types;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, delete, get, post, put};
use axum::{Json, Router};

pub use error::locale_of;
pub use openapi::document;

#[derive(Clone)]
pub struct ApiState {
    pub db: domain::Db,
}

/// The largest request body (settings are limited to 16 KiB by the domain).
const MAX_BODY: usize = 64 * 1024;

pub fn router(db: domain::Db) -> Router {
    let v1 = Router::new()
        .route("/me", get(handlers::me))
        .route("/authenticate", post(handlers::authenticate))
        .route("/users/{user}/licence", get(handlers::licence))
        .route(
            "/users/{user}/licence-file",
            post(licence_files::licence_file),
        )
        .route("/users/{user}/licence-key", get(licence_files::licence_key))
        .route("/keys", get(licence_files::keys))
        .route(
            "/users/{user}/devices",
            get(devices::list).post(devices::register),
        )
        .route("/devices/{device}", delete(devices::forget))
        .route(
            "/users/{user}/sessions",
            get(handlers::sessions).post(handlers::open_session),
        )
        .route(
            "/sessions/{session}",
            put(handlers::heartbeat).delete(handlers::close_session),
        )
        .route(
            "/users/{user}/settings/{product}",
            get(handlers::get_settings).put(handlers::put_settings),
        )
        .route("/sites", get(handlers::sites))
        .route("/sites/{site}/users", get(handlers::site_users))
        .fallback(handlers::fallback)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(ApiState { db });
    Router::new()
        .route("/api/openapi.json", get(|| async { Json(document()) }))
        .nest("/api/v1", v1)
        // Without this, an unknown path under /api/v1 would reach the server functions' route.
        .route("/api/v1/{*rest}", any(handlers::fallback))
}
