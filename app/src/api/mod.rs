//! Server functions and their wire types, one module per area. Each server function finds
//! the principal, calls one domain function and converts the result; nothing else.
pub mod activation;
pub mod announcements;
pub mod applications;
pub mod auth;
pub mod customers;
pub mod factors;
pub mod federations;
pub mod groups;
pub mod import;
pub mod institutions;
pub mod journal;
pub mod onboarding;
pub mod operator;
pub mod outline;
pub mod overview;
pub mod profile;
pub mod properties;
pub mod reference;
pub mod roles;
pub mod rollover;
pub mod sites;
pub mod sso;
pub mod subscriptions;
pub mod tokens;
pub mod usage;
pub mod users;
pub mod webhooks;

/// The server functions that read a multipart upload (`input = MultipartFormData`), by
/// endpoint: the server refuses a request to them that is not multipart before the function
/// reads it (`server_fn` would panic on a missing boundary). A function missing here fails the
/// malformed-request test of `server/tests/it/foreign_ids.rs`.
pub const UPLOADS: &[&str] = &[
    "preview_import",
    "start_import",
    "preview_property_values",
    "import_property_values",
];
