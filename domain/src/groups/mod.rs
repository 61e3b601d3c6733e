//! Dynamic groups (as Klic and Entra have them): a named rule over custom properties, for the
//! users placed in a site or below it; a preview of who matches now; and a job, scheduled
//! hourly, nightly or run by hand, that recomputes the members batch by batch. A group may
//! grant its members a product licence or a role on a site; leaving the group takes away what
//! it gave (and only that). Every join, leave and grant is journaled with the group as actor.
//!
//! A run is idempotent: it works from the difference between who matches and who is a member,
//! so a run cut short (a crash, a restart) is completed by the next one. A rule that names a
//! removed property changes nothing: the group keeps its members and shows the problem.
mod choices;
mod grants;
pub(crate) mod guard;
mod manage;
mod read;
mod recompute;
mod schedule;

pub use choices::{choices, Choices};
pub use manage::{remove, save, GroupForm};
pub use read::{get, list, preview, Group, Preview, PreviewMember};
pub use recompute::{recompute, recompute_unchecked, RunOptions, RunReport};
pub use schedule::{
    enqueue_due, run_job, run_now, run_unchecked, GroupJob, NextRun, Schedule, JOB_KIND,
};

/// The most conditions a rule may have.
pub const MAX_CONDITIONS: usize = 10;
