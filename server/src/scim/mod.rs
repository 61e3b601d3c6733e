//! SCIM 2.0 at `/scim/v2` (RFC 7644), for identity providers that push users (Entra ID,
//! Google Workspace): the caller is an API token's account, and everything it does happens in
//! its home site's subtree under the same rules as the pages. Thin: the token, one domain call
//! (`domain::scim`), the resource or SCIM's error as `application/scim+json`.
mod error;
mod handlers;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get};
use axum::Router;

pub use error::ScimError;

#[derive(Clone)]
pub struct ScimState {
    pub db: domain::Db,
}

/// The largest request body.
const MAX_BODY: usize = 64 * 1024;

/// Every route, as (method, path): the foreign-id and malformed-request tests try each.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/scim/v2/ServiceProviderConfig"),
    ("get", "/scim/v2/Users"),
    ("post", "/scim/v2/Users"),
    ("get", "/scim/v2/Users/{id}"),
    ("put", "/scim/v2/Users/{id}"),
    ("patch", "/scim/v2/Users/{id}"),
    ("delete", "/scim/v2/Users/{id}"),
];

pub fn router(db: domain::Db) -> Router {
    let v2 = Router::new()
        .route(
            "/ServiceProviderConfig",
            get(handlers::service_provider_config),
        )
        .route(
            "/Users",
            get(handlers::list_users).post(handlers::create_user),
        )
        .route(
            "/Users/{id}",
            get(handlers::get_user)
                .put(handlers::replace_user)
                .patch(handlers::patch_user)
                .delete(handlers::delete_user),
        )
        .fallback(handlers::fallback)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(ScimState { db });
    Router::new()
        .nest("/scim/v2", v2)
        .route("/scim/v2/{*rest}", any(handlers::fallback))
}
