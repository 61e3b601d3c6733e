//! Licentia's business rules and access control. No Leptos, no HTTP: every operation takes
//! the acting [`Principal`], asks [`access`] first, and runs its writes in one transaction.
pub mod access;
pub mod announcements;
pub mod api_tokens;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod challenge;
pub mod db;
pub mod demo;
pub mod entities;
pub mod error;
pub mod groups;
pub mod identity;
pub mod import;
pub mod institutions;
pub mod jobs;
pub mod licences;
pub mod mail;
pub mod onboarding;
pub mod operators;
pub mod products;
pub mod properties;
pub mod purchases;
pub mod roles;
pub mod sessions;
pub mod sheet;
pub mod sites;
pub mod sso;
pub mod subscriptions;
pub mod tokens;
pub mod users;
pub mod validate;

pub use db::Db;
pub use error::{Code, Error, Result};
pub use identity::Principal;
