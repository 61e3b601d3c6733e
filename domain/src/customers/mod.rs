//! The vendor's console: its customers (every organisation but the vendor's own) with their
//! figures, one customer's detail, and the subscriptions that renew or lapse. Operators only.
mod detail;
mod digest;
mod list;
mod renewals;
mod renewals_file;

pub use detail::{customer, open_for_support, MOST_SHOWN};
pub use digest::{digest_wanted, send_digest_due, set_digest, DIGEST_DAYS, DIGEST_LINES};
pub use list::{list, CustomerQuery, PAGE_SIZE};
pub use renewals::{renewals, RenewalQuery};
pub use renewals_file::renewals_file;
