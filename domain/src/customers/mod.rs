//! The vendor's console: its customers (every organisation but the vendor's own) with their
//! figures, one customer's detail, and the subscriptions that renew or lapse. Operators only.
mod detail;
mod list;
mod renewals;

pub use detail::{customer, open_for_support, MOST_SHOWN};
pub use list::{list, CustomerQuery, PAGE_SIZE};
pub use renewals::{renewals, RenewalQuery};
