//! Server functions and their wire types, one module per area. Each server function finds
//! the principal, calls one domain function and converts the result; nothing else.
pub mod announcements;
pub mod auth;
pub mod groups;
pub mod import;
pub mod journal;
pub mod onboarding;
pub mod operator;
pub mod overview;
pub mod profile;
pub mod reference;
pub mod roles;
pub mod sites;
pub mod tokens;
pub mod users;
