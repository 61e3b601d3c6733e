//! What an operator sees of a running server: logs (a request id on every line of a request),
//! metrics in Prometheus's text format, and health probes.
pub mod health;
pub mod logs;
pub mod metrics;
pub mod requests;
