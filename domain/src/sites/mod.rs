//! The site tree and its seats.
//!
//! Seat arithmetic: a site's *used* count is the users placed directly in it plus the seat
//! limits reserved by its direct subsites. `sites.used_seats` holds that number and every write
//! keeps it exact in the same transaction; seat checks are conditional UPDATEs on it, so they
//! hold under concurrency. Locks are always taken child before parent (no deadlocks).
mod create;
mod delete;
pub mod expiry;
mod lock;
mod move_site;
mod outline;
mod read;
mod update;
mod vendor;

pub use create::{create, insert_root, insert_site, NewSiteForm};
pub use delete::delete;
pub(crate) use lock::{lock_site, parents_of, recount, release_seats, take_seats};
pub use move_site::{move_options, move_site};
pub use outline::{
    children, outline, search, Children, Found, Outline, OutlineNode, CHILDREN_SHOWN, FOUND_SHOWN,
    ROOTS_SHOWN,
};
pub use read::public_id_of;
pub use read::Resolved;
pub use read::{
    details, home_site, in_readable, resolve, scopes_of, seat_counter_mismatches, site_or_home,
    subtree, tree, SiteDetails, SiteNode,
};
pub(crate) use read::{effective_expiry, indented_subtree, organisation_root, resolve_by_id};
pub use update::{update, SiteForm};
pub use vendor::{check_root_name, same_name, vendor_root, VENDOR_ORGANISATION};
