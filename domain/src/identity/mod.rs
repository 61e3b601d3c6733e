//! Who is acting: loaded once per request from the session's user id (one statement).
pub(crate) mod load;

use crate::access::Permissions;
use crate::error::Result;

#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    User(Actor),
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i32,
    pub site_id: i32,
    /// As the journal names the actor.
    pub username: String,
    /// The vendor's staff: sees and manages every organisation.
    pub operator: bool,
    pub grants: Vec<Grant>,
    /// The address the request came from, for the journal.
    pub client_address: Option<String>,
    /// The user must choose a new password first: until then [`Principal::usable`] refuses
    /// them everything but what changing it needs.
    pub must_change_password: bool,
}

/// A role's permissions on a site; holds for the site's whole subtree.
#[derive(Debug, Clone)]
pub struct Grant {
    pub site_id: i32,
    pub permissions: Permissions,
}

impl Principal {
    pub fn user_id(&self) -> Option<i32> {
        match self {
            Principal::Anonymous => None,
            Principal::User(actor) => Some(actor.user_id),
        }
    }

    /// The same principal, acting from `address` (recorded in the journal).
    pub fn from_address(self, address: Option<String>) -> Principal {
        match self {
            Principal::Anonymous => Principal::Anonymous,
            Principal::User(actor) => Principal::User(Actor {
                client_address: address,
                ..actor
            }),
        }
    }

    /// The principal for anything but changing the password (and reading who is signed in):
    /// while the user must choose a new password, refused with `password_change_required`.
    /// Every server function and API call passes here, where the principal is loaded.
    pub fn usable(self) -> Result<Principal> {
        match &self {
            Principal::User(actor) if actor.must_change_password => {
                Err(crate::Error::PasswordChangeRequired)
            }
            _ => Ok(self),
        }
    }

    /// Loads the principal of a signed-in user. A user who was deleted, deactivated or has
    /// expired since signing in becomes anonymous.
    pub async fn load(db: &crate::Db, user_id: i32) -> Result<Principal> {
        load::by_user(db, user_id, wire::time::today()).await
    }
}
