//! Federations: an organisation's own OpenID Connect provider and the rules that identify,
//! place and entitle the users it signs in, as the settings panel edits them.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::named_enum;

named_enum! {
    /// What identifies a user across sign-ins: never a name, and an e-mail address only where
    /// the provider vouches for its domain.
    pub enum FederationIdentifier {
        /// The provider's subject (`sub`): stable, but known to this provider only.
        Subject => "sub",
        /// The ECK iD of Dutch education (also matches users imported with one).
        EckId => "eck_id",
        /// `nlEduPersonRealId` (Entree Federatie).
        RealId => "real_id",
        /// A verified e-mail address of one of the listed domains (also matches existing users).
        Email => "email",
    }
}

impl FederationIdentifier {
    /// The claim that usually holds it.
    pub const fn default_claim(self) -> &'static str {
        match self {
            FederationIdentifier::Subject => "sub",
            FederationIdentifier::EckId => "eckid",
            FederationIdentifier::RealId => "nlEduPersonRealId",
            FederationIdentifier::Email => "email",
        }
    }
}

/// A claim value that grants a role on the user's site (`eduPersonAffiliation` = `employee`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRule {
    pub claim: String,
    pub value: String,
    pub role: Uuid,
}

/// A federation as its administrators edit it. The client secret never travels back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Federation {
    /// None: not saved yet.
    pub id: Option<Uuid>,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// Saving with an empty one keeps the stored secret; `has_secret` tells whether there is one.
    #[serde(default)]
    pub client_secret: String,
    #[serde(default)]
    pub has_secret: bool,
    /// Scopes asked besides `openid email profile`, space-separated.
    pub scopes: String,
    pub identify_by: FederationIdentifier,
    /// Empty: the identifier's usual claim.
    pub identifier_claim: String,
    pub email_domains: Vec<String>,
    pub create_users: bool,
    /// The claim with the institution number (BRIN) of the user's site; empty: the organisation.
    pub site_claim: String,
    /// The claim naming the user's class, a subsite of that site; empty: none.
    pub class_claim: String,
    pub roles: Vec<RoleRule>,
}

/// What a federation would do with one set of claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederationPreview {
    /// The identifying claim's value.
    pub identifier: Option<String>,
    /// The user it signs in as (their name), if one is known already.
    pub existing_user: Option<String>,
    /// True when it would create the user.
    pub creates: bool,
    /// Where a new user would be placed (the site's name).
    pub site: Option<String>,
    /// The roles a new user would receive on the site (their names; built-in ones as `@key`).
    pub roles: Vec<String>,
    /// Rules whose role the administrator who saved them may no longer grant: left out.
    pub roles_left_out: Vec<String>,
    /// Why the sign-in would be refused.
    pub refusal: Option<crate::Code>,
}
