//! Usage insights: what users do, logged as it happens (`record`), rolled up once a day into
//! per-site figures (`rollup`), read by the charts (see migration 45 for the tables).
mod copied;
mod day;
mod parts;
mod read;
mod record;
mod rollup;

pub use read::{series, UsageQuery, Whose, MOST_DAYS};
pub(crate) use record::{sign_in_failed, signed_in};
pub use record::{APP_SESSION, SIGN_IN, SIGN_IN_FAILED};
pub use rollup::{forget_old, roll_up_day, roll_up_due, schedule, RollupJob, JOB_KIND, KEPT_DAYS};
