//! Webhooks: an organisation's administrator (for a site's subtree) or the vendor (for every
//! organisation) registers an endpoint and the events it wants; each event becomes one
//! delivery per endpoint, queued in the job table in the transaction that caused it, sent by
//! the workers of any process with the Standard Webhooks headers (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`), retried with back-off, logged per endpoint and
//! redelivered on demand. An endpoint that fails for [`DISABLE_AFTER`] is disabled and its
//! owner told by mail. Events follow delegation as the journal does: an endpoint of a site sees
//! what happens in that site's subtree.
mod deliver;
mod emit;
mod endpoints;
mod events;
mod expired;

pub use deliver::{
    deliveries, disable_failing, forget_old, next_batch, record, redeliver, sign, Attempt,
    Delivery, Outgoing, JOBS_PER_BATCH, JOB_KIND, KEEP_DELIVERIES, MESSAGES_PER_JOB,
};
pub(crate) use emit::emit_journal;
pub use emit::{emit, Emitted};
pub use endpoints::{
    allow_loopback, endpoints, is_loopback, loopback_allowed, register, register_unchecked, remove,
    set_enabled, Endpoint, EndpointList, NewEndpoint, Registered, Scope, MAX_URL,
};
pub use events::EVENT_TYPES;
pub use expired::{announce_expired, ANNOUNCED_FOR};

/// How long an endpoint may fail every delivery before it is disabled.
pub const DISABLE_AFTER: chrono::Duration = chrono::Duration::days(3);
