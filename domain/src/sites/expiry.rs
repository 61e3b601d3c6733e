//! Expiry dates bind downward: a date imposed from above (a site's own or inherited date) can
//! be tightened below it, never lifted. Pure functions over a resolved site.
use chrono::NaiveDate;

use super::Resolved;
use crate::access::{self, Operation};
use crate::error::{Code, Error, Result};
use crate::Principal;

/// Refuses a new expiry date for a site that would lift a date imposed from above. Someone who
/// manages the parent answers to the parent's date (and may clear the site's own: it then
/// inherits); someone whose authority starts at the site itself only tightens the date that
/// applies to it now. A root site's date is its organisation's own.
pub fn check_site(principal: &Principal, site: &Resolved, wanted: Option<NaiveDate>) -> Result<()> {
    if wanted == site.site.expires_on {
        return Ok(());
    }
    let Some(parent) = site.scope.parent() else {
        return Ok(());
    };
    let inherited = site.ancestors.iter().skip(1).find_map(|s| s.expires_on);
    if access::allows(principal, Operation::EditSite, &parent) {
        return within(wanted.or(inherited), inherited);
    }
    match (wanted, site.effective_expires_on()) {
        (_, None) => Ok(()),
        (Some(day), Some(bound)) if day <= bound => Ok(()),
        (_, Some(bound)) => Err(beyond(bound)),
    }
}

/// Refuses a user's own expiry date later than the one their site imposes (none: the user
/// inherits the site's).
pub fn check_user(home: &Resolved, wanted: Option<NaiveDate>) -> Result<()> {
    let bound = home.effective_expires_on();
    within(wanted.or(bound), bound)
}

fn within(applies: Option<NaiveDate>, bound: Option<NaiveDate>) -> Result<()> {
    match (applies, bound) {
        (Some(day), Some(bound)) if day > bound => Err(beyond(bound)),
        _ => Ok(()),
    }
}

fn beyond(bound: NaiveDate) -> Error {
    Error::RefusedAt(Code::ExpiryBeyondInherited, vec![bound.to_string()])
}
