//! Authority over a target user. Acting on a user needs two things: the operation on the site
//! where they are placed, and their authority contained in the actor's: on every site where
//! the target holds a grant, the actor holds every permission the target holds there. A
//! director placed in one school but holding Administrator on the group is therefore out of
//! reach of that school's administrator. Pure functions of the grants; the domain loads a
//! target's [`Authority`] (`users::target`) and asks [`require_over`].
use super::{held, require, Operation, Permissions, SiteScope};
use crate::error::{Code, Error, Result};
use crate::identity::Principal;

/// What a user may do: their grants, each with the ancestry of the granted site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authority {
    /// The vendor's staff: only operators have authority over them.
    pub operator: bool,
    pub grants: Vec<(SiteScope, Permissions)>,
}

impl Authority {
    /// No permission anywhere (a plain user, a service account without roles).
    pub fn is_plain(&self) -> bool {
        !self.operator && self.grants.iter().all(|(_, p)| p.is_empty())
    }
}

/// Whether the principal's authority contains `target`'s.
pub fn contains(principal: &Principal, target: &Authority) -> bool {
    match principal {
        Principal::Anonymous => target.is_plain(),
        Principal::User(actor) if actor.operator => true,
        Principal::User(_) if target.operator => false,
        Principal::User(_) => target
            .grants
            .iter()
            .all(|(scope, permissions)| held(principal, scope).includes(*permissions)),
    }
}

/// Allows `operation` on a user placed in `home` whose authority is `target`: the operation on
/// their site (a user outside the principal's view is not found), then their authority
/// contained in the principal's (refused with a message that names no site).
pub fn require_over(
    principal: &Principal,
    operation: Operation,
    home: &SiteScope,
    target: &Authority,
) -> Result<()> {
    require(principal, operation, home)?;
    require_contains(principal, target)
}

/// The second half of [`require_over`], for callers that checked the site already.
pub fn require_contains(principal: &Principal, target: &Authority) -> Result<()> {
    if contains(principal, target) {
        Ok(())
    } else {
        Err(Error::Refused(Code::UserOutOfReach))
    }
}
