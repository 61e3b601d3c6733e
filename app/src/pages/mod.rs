//! One module per page.
pub mod admin;
pub mod developers;
pub mod groups;
pub mod home;
pub mod import;
pub mod journal;
pub mod login;
pub mod not_found;
pub mod onboarding;
pub mod operator;
pub mod operator_announcements;
pub mod operator_products;
pub mod profile;
pub mod roles;
pub mod rollover;
pub mod tokens;
pub mod webhooks;
