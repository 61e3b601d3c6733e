//! Single sign-on: a user links accounts at OpenID Connect providers (Google, Microsoft, any
//! standards-compliant issuer) and signs in with them. The protocol runs in the server; here
//! are the rules. An identity is the issuer and its subject, never the e-mail address.
mod links;
mod sign_in;

use chrono::{DateTime, Utc};

pub use links::{link, links_of, mine, unlink};
pub use sign_in::{sign_in, LinkedSignIn};

/// An account at a provider, as a validated ID token names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The configured provider's key (`google`, `microsoft`, ...).
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    /// Shown so the user recognises the account; never used to find anyone.
    pub email: Option<String>,
}

/// A linked account as the profile and the user details show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub provider: String,
    pub email: Option<String>,
    pub linked_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}
