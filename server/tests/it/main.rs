//! The server's tests through its real router and binary, as one test binary (one link for
//! all). `busy.rs` is its own: it sizes the process's one password pool to a single worker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod cli;
mod foreign_ids;
mod import_resume;
mod mail_delivery;
mod observability;
mod page_statements;
mod scim;
mod second_factor;
mod shutdown;
mod sign_in_surface;
mod sso;
mod support;
