//! The background workers every process runs: `jobs` takes work from the durable job table
//! (imports, large bulk actions, dynamic group runs, announcement mail, the cleanup of old
//! files), `mail` delivers the outbox, `webhooks` posts webhook deliveries.
pub mod jobs;
pub mod mail;
pub mod webhooks;
