//! The `licentia` server as a library (the binary in `main.rs`, and the benchmarks, use it).
pub mod api;
pub mod cli;
pub mod config;
pub mod downloads;
pub mod import_worker;
pub mod journal_csv;
pub mod lifecycle;
pub mod mail_worker;
pub mod observe;
pub mod proxies;
pub mod routes;
pub mod security;
pub mod session_store;
pub mod sso;
