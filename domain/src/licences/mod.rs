//! Named licences (as Sociel has them): a subscription of the organisation has seats, each
//! assigned to one user. A user's licence is "none", "active since D", "active from D" (a
//! subscription that starts later) or "expired since D". A user without a valid licence claims
//! a free one at sign-in; administrators assign and unassign; nobody unassigns their own.
//! Taking a seat is one conditional update of the subscription's `assigned` counter, so the
//! seats hold under concurrency on both databases.
mod assign;
mod batch;
mod by_token;
mod check;
mod claim;
mod counters;
mod mine;
mod status;

pub use assign::{assign, unassign};
pub(crate) use batch::Batches;
pub use by_token::{check_many_with_token, check_with_token};
pub use check::{check, LicenceCheck};
pub(crate) use check::{evaluate, facts_statement, known};
pub use claim::{claim, claim_at_sign_in, Claim};
pub use counters::{counters, Counters};
pub use mine::{mine, MyLicence};
pub(crate) use status::statuses;
pub use status::{status_of, Status};
