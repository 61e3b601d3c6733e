//! SCIM 2.0 at `/scim/v2` (RFC 7644), for identity providers that push users (Entra ID,
//! Google Workspace): the caller is an API token's account, and everything it does happens in
//! its home site's subtree under the same rules as the pages. Thin: the token, one domain call
//! (`domain::scim`), the resource or SCIM's error as `application/scim+json`.
mod common;
mod discovery;
mod error;
mod groups;
mod users;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
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
    ("get", "/scim/v2/ResourceTypes"),
    ("get", "/scim/v2/ResourceTypes/{id}"),
    ("get", "/scim/v2/Schemas"),
    ("get", "/scim/v2/Schemas/{id}"),
    ("post", "/scim/v2/.search"),
    ("get", "/scim/v2/Users"),
    ("post", "/scim/v2/Users"),
    ("post", "/scim/v2/Users/.search"),
    ("get", "/scim/v2/Users/{id}"),
    ("put", "/scim/v2/Users/{id}"),
    ("patch", "/scim/v2/Users/{id}"),
    ("delete", "/scim/v2/Users/{id}"),
    ("get", "/scim/v2/Groups"),
    ("post", "/scim/v2/Groups"),
    ("post", "/scim/v2/Groups/.search"),
    ("get", "/scim/v2/Groups/{id}"),
    ("put", "/scim/v2/Groups/{id}"),
    ("patch", "/scim/v2/Groups/{id}"),
    ("delete", "/scim/v2/Groups/{id}"),
];

pub fn router(db: domain::Db) -> Router {
    let v2 = Router::new()
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{id}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .route("/.search", post(common::search_everything))
        .route("/Users", get(users::list).post(users::create))
        .route("/Users/.search", post(users::search))
        .route(
            "/Users/{id}",
            get(users::get)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route("/Groups", get(groups::list).post(groups::create))
        .route("/Groups/.search", post(groups::search))
        .route(
            "/Groups/{id}",
            get(groups::get)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .fallback(common::fallback)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(ScimState { db });
    Router::new()
        .nest("/scim/v2", v2)
        .route("/scim/v2/{*rest}", any(common::fallback))
}
