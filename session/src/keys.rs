//! What a session holds, by key.

pub const SESSION_USER: &str = "user_id";
pub const SESSION_SIGNED_IN_AT: &str = "signed_in_at";
/// What the profile's session list shows: the browser, the address and how the user signed in.
pub const SESSION_USER_AGENT: &str = "user_agent";
pub const SESSION_CLIENT_ADDRESS: &str = "client_address";
pub const SESSION_METHOD: &str = "method";
/// What the licence claim at sign-in came to, for the overview page to say once.
pub const SESSION_LICENCE_CLAIM: &str = "licence_claim";
/// Absolute session lifetime, whatever the activity (the idle timeout is the store's expiry).
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
