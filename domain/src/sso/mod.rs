//! Single sign-on: a user links accounts at OpenID Connect providers (Google, Microsoft, any
//! standards-compliant issuer) and signs in with them. The protocol runs in the server; here
//! are the rules. An identity is the issuer and its subject, never the e-mail address.
mod links;
mod sign_in;

use chrono::{DateTime, Utc};

pub use links::{link, links_of, mine, unlink};

/// Refuses an account from a directory the user's organisation does not accept (an
/// organisation that names its Microsoft tenants accepts only those).
pub(crate) async fn refuse_foreign_tenant(
    db: &crate::Db,
    site_id: i32,
    identity: &Identity,
) -> crate::Result<()> {
    let Some(tenant) = &identity.tenant else {
        return Ok(());
    };
    let resolved = crate::sites::resolve_by_id(db, site_id).await?;
    let Some(root) = resolved.ancestors.last() else {
        return Ok(());
    };
    let accepted = crate::factors::tenants_of(root);
    if accepted.is_empty() || accepted.contains(&tenant.to_ascii_lowercase()) {
        return Ok(());
    }
    Err(crate::Error::Refused(crate::Code::SsoTenantNotAllowed))
}
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
    /// The directory (Microsoft's tenant id) the account belongs to, when the provider serves
    /// many (its issuer names it); an organisation may accept only its own.
    pub tenant: Option<String>,
    /// Every claim of the validated ID token (a federation's rules read them).
    pub claims: crate::federation::Claims,
}

/// A linked account as the profile and the user details show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub provider: String,
    pub email: Option<String>,
    pub linked_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}
