//! Federations: an organisation signs its users in through its own OpenID Connect provider
//! (Entree Federatie, SURFconext, Smartschool, its Microsoft directory), and the provider's
//! claims identify, place and entitle them without manual work.
//!
//! The organisation's administrators (settings on the root site) choose which claim identifies
//! a user across sign-ins, whether unknown users are created, and the rules: the claim holding
//! the institution number of the user's site (BRIN), the claim naming their class (a subsite of
//! that site), and claim values that grant a role on that site. A rule grants only what the
//! administrator who saved it could grant by hand, then and at every use: privilege never flows
//! from claims alone. Creation takes a seat like any other; everything is journaled.
mod config;
mod rules;
mod sign_in;

use std::collections::BTreeMap;

pub use config::{endpoint, list, preview, remove, role_choices, save, Endpoint, RoleChoice};
pub use rules::claims_from_json;
pub use sign_in::sign_in;

/// A provider's claims about a user, each with its values (a single value is a list of one).
pub type Claims = BTreeMap<String, Vec<String>>;

/// The most role rules a federation holds.
pub const MAX_RULES: usize = 20;
