//! Access control, in one place. Every domain operation calls [`require`] with its own
//! [`Operation`] (or filters its query with [`readable`]) before it touches data. The
//! decisions are pure functions of the principal's grants and the target site's ancestry.
mod authority;
mod operation;
mod permission;

pub use authority::{contains, require_contains, require_over, Authority};
pub use operation::Operation;
pub use permission::{Category, Permission, Permissions};

use crate::error::{Code, Error, Result};
use crate::identity::Principal;

/// The target of a decision: a site and its ancestors (itself first, root last).
#[derive(Debug, Clone, PartialEq, Eq)]
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

    pub fn root_id(&self) -> Option<i32> {
        self.ancestry.last().copied()
    }

    /// The scope of the parent (for decisions about seats taken from the parent).
    pub fn parent(&self) -> Option<SiteScope> {
        (self.ancestry.len() > 1).then(|| SiteScope {
            ancestry: self.ancestry[1..].to_vec(),
        })
    }

    /// Whether `site_id` is this site or one of its ancestors.
    pub fn within(&self, site_id: i32) -> bool {
        self.ancestry.contains(&site_id)
    }
}

/// Allows `operation` on `scope`, or says why not. A principal with no grant anywhere on the
/// site's ancestry gets `NotFound` (a foreign id reveals nothing); one that sees the site but
/// lacks the permission gets `Forbidden`. Operators may do everything.
pub fn require(principal: &Principal, operation: Operation, scope: &SiteScope) -> Result<()> {
    let actor = match principal {
        Principal::Anonymous => return Err(Error::Unauthenticated),
        Principal::User(actor) if actor.operator => return Ok(()),
        Principal::User(_) if operation.operator_only() => return Err(Error::Forbidden),
        Principal::User(actor) => actor,
    };
    let held = held(principal, scope);
    if held.contains(operation.permission()) {
        return Ok(());
    }
    let sees = actor
        .grants
        .iter()
        .any(|grant| scope.within(grant.site_id) && !grant.permissions.is_empty());
    Err(if sees {
        Error::Forbidden
    } else {
        Error::NotFound
    })
}

/// Allows an operator-only operation (one that is not about a site) to operators; anyone
/// else signed in is refused.
pub fn require_operator(principal: &Principal, operation: Operation) -> Result<()> {
    match principal {
        Principal::Anonymous => Err(Error::Unauthenticated),
        Principal::User(actor) if actor.operator && operation.operator_only() => Ok(()),
        Principal::User(_) => Err(Error::Forbidden),
    }
}

/// The vendor's own things (its webhooks for every organisation): operators only, refused to
/// everyone else as `forbidden`.
pub fn require_vendor(principal: &Principal) -> Result<()> {
    match principal {
        Principal::Anonymous => Err(Error::Unauthenticated),
        Principal::User(actor) if actor.operator => Ok(()),
        Principal::User(_) => Err(Error::Forbidden),
    }
}

/// Whether `require` would allow it (for hiding buttons in the UI).
pub fn allows(principal: &Principal, operation: Operation, scope: &SiteScope) -> bool {
    require(principal, operation, scope).is_ok()
}

/// The permissions the principal holds on a site: the union of the grants on its ancestry.
pub fn held(principal: &Principal, scope: &SiteScope) -> Permissions {
    match principal {
        Principal::Anonymous => Permissions::default(),
        Principal::User(actor) if actor.operator => Permissions::all(),
        Principal::User(actor) => actor
            .grants
            .iter()
            .filter(|grant| scope.within(grant.site_id))
            .fold(Permissions::default(), |all, grant| {
                all.union(grant.permissions)
            }),
    }
}

/// Nobody hands out (or takes away) a permission they do not hold on that site themselves.
pub fn require_held(principal: &Principal, scope: &SiteScope, wanted: Permissions) -> Result<()> {
    if held(principal, scope).includes(wanted) {
        Ok(())
    } else {
        Err(Error::Refused(Code::PermissionNotHeld))
    }
}

/// What a list may show: everything (operators) or the subtrees of these sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readable {
    All,
    Subtrees(Vec<i32>),
}

impl Readable {
    pub fn is_empty(&self) -> bool {
        matches!(self, Readable::Subtrees(roots) if roots.is_empty())
    }
}

/// The sites whose subtrees the principal may read for `operation`: list queries join on
/// these so that nothing outside them is ever loaded.
pub fn readable(principal: &Principal, operation: Operation) -> Result<Readable> {
    match principal {
        Principal::Anonymous => Err(Error::Unauthenticated),
        Principal::User(actor) if actor.operator => Ok(Readable::All),
        Principal::User(_) if operation.operator_only() => Ok(Readable::Subtrees(Vec::new())),
        Principal::User(actor) => {
            let mut roots: Vec<i32> = actor
                .grants
                .iter()
                .filter(|grant| grant.permissions.contains(operation.permission()))
                .map(|grant| grant.site_id)
                .collect();
            roots.sort_unstable();
            roots.dedup();
            Ok(Readable::Subtrees(roots))
        }
    }
}

/// Operations on a user's own account that no administrator right allows on oneself.
pub fn require_not_self(principal: &Principal, user_id: i32, code: Code) -> Result<()> {
    match principal {
        Principal::User(actor) if actor.user_id == user_id => Err(Error::Refused(code)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
