//! Access control, in one place. Every domain operation calls [`require`] (or filters its
//! query with [`readable_roots`]) before it touches data. The decisions are pure functions of
//! the principal's grants and the target site's ancestry, tested as tables without a database.
mod permission;

pub use permission::{Permission, Permissions};

use crate::error::{Error, Result};
use crate::identity::Principal;

/// The target of a decision: a site and its ancestors (itself first, root last).
#[derive(Debug, Clone)]
pub struct SiteScope {
    pub ancestry: Vec<i32>,
}

impl SiteScope {
    pub fn site_id(&self) -> Option<i32> {
        self.ancestry.first().copied()
    }

    pub fn parent_id(&self) -> Option<i32> {
        self.ancestry.get(1).copied()
    }

    /// The scope of the parent (for decisions about seats taken from the parent).
    pub fn parent(&self) -> Option<SiteScope> {
        (self.ancestry.len() > 1).then(|| SiteScope {
            ancestry: self.ancestry[1..].to_vec(),
        })
    }
}

/// Allows `permission` on `scope`, or says why not. A principal with no grant anywhere on the
/// site's ancestry gets `NotFound` (a foreign id reveals nothing); one that sees the site but
/// lacks the permission gets `Forbidden`.
pub fn require(principal: &Principal, permission: Permission, scope: &SiteScope) -> Result<()> {
    let actor = match principal {
        Principal::Anonymous => return Err(Error::Unauthenticated),
        Principal::User(actor) => actor,
    };
    let covering = actor
        .grants
        .iter()
        .filter(|grant| scope.ancestry.contains(&grant.site_id));
    let mut sees = false;
    for grant in covering {
        if grant.permissions.contains(permission) {
            return Ok(());
        }
        sees |= !grant.permissions.is_empty();
    }
    Err(if sees {
        Error::Forbidden
    } else {
        Error::NotFound
    })
}

/// Whether `require` would allow it (for hiding buttons in the UI).
pub fn allows(principal: &Principal, permission: Permission, scope: &SiteScope) -> bool {
    require(principal, permission, scope).is_ok()
}

/// The sites whose subtrees the principal may read with `permission`: list queries join on
/// these so that nothing outside them is ever loaded.
pub fn readable_roots(principal: &Principal, permission: Permission) -> Result<Vec<i32>> {
    match principal {
        Principal::Anonymous => Err(Error::Unauthenticated),
        Principal::User(actor) => {
            let mut roots: Vec<i32> = actor
                .grants
                .iter()
                .filter(|grant| grant.permissions.contains(permission))
                .map(|grant| grant.site_id)
                .collect();
            roots.sort_unstable();
            roots.dedup();
            Ok(roots)
        }
    }
}

/// Operations on a user's own account that no administrator right allows on oneself.
pub fn require_not_self(principal: &Principal, user_id: i32, code: crate::Code) -> Result<()> {
    match principal {
        Principal::User(actor) if actor.user_id == user_id => Err(Error::Refused(code)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
