//! The vendor's console: its customers (the organisations other than its own) with the figures
//! a vendor's staff look at every morning, and the subscriptions that renew or lapse.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::named_enum! {
    /// What the customer list is sorted by (then by name).
    pub enum CustomerSort {
        Name => "name",
        SeatsUsed => "seats",
        LicencesAssigned => "licences",
        NextExpiry => "expiry",
        LastSignIn => "sign_in",
        Created => "created",
    }
}

/// How many of a customer's subscriptions have not begun, run, or have ended today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionCounts {
    pub upcoming: u32,
    pub current: u32,
    pub ended: u32,
}

/// One customer (an organisation's root) and its figures today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: Uuid,
    pub name: String,
    /// Seats taken by users and subsites, and the organisation's limit.
    pub seats_used: i64,
    pub seat_limit: i64,
    /// Licences assigned on the subscriptions running today, and the licences those hold.
    pub licences_assigned: i64,
    pub licences_valid: i64,
    pub subscriptions: SubscriptionCounts,
    /// The first end of a subscription running or to come.
    pub next_expiry: Option<NaiveDate>,
    /// Users holding a role in the organisation, and how many of them have an e-mail address.
    pub administrators: i64,
    pub administrators_with_email: i64,
    pub last_administrator_sign_in: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A page of the customer list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    /// Customers matching the search.
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

crate::named_enum! {
    /// Where a subscription stands for its renewal.
    pub enum RenewalState {
        /// It ends within the window asked and nothing follows it yet.
        Ending => "ending",
        /// It ends within the window and a later subscription of the customer is claimed.
        Renewed => "renewed",
        /// It has ended and the customer has no subscription running or to come.
        Lapsed => "lapsed",
        /// A claimed subscription that has not begun yet (a renewal taken up in advance).
        Upcoming => "upcoming",
    }
}

/// A subscription on the renewals list, with its customer and how much of it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalRow {
    pub serial: String,
    pub customer: Uuid,
    pub customer_name: String,
    pub state: RenewalState,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub seats: i64,
    pub assigned: i64,
    pub contact_email: Option<String>,
}

/// One of a customer's subscriptions, as its detail page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSubscription {
    pub serial: String,
    pub seats: i64,
    pub assigned: i64,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub claimed_at: Option<DateTime<Utc>>,
    /// Made by redeeming an activation code (one licence, no seats).
    pub activation_code: bool,
}

/// A user holding a role in a customer's organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAdministrator {
    pub user: Uuid,
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub roles: Vec<CustomerRole>,
    pub last_sign_in: Option<DateTime<Utc>>,
}

/// A role an administrator holds, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRole {
    /// The role's name as its organisation wrote it.
    pub name: String,
    /// For a built-in role, its key (`administrator`): the page shows it in the reader's
    /// language.
    pub builtin: Option<String>,
    /// The site it is held on.
    pub site: String,
}

/// A purchase request a customer sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPurchase {
    pub requested_at: DateTime<Utc>,
    pub requester: String,
    pub quantity: i64,
    pub activation_on: NaiveDate,
    pub status: crate::PurchaseStatus,
}

/// An entry of the customer's journal that matters to the vendor (subscriptions claimed,
/// codes redeemed, institutions linked, an operator's support visits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The journal's action code (`subscription.claim`), also its translation key.
    pub action: String,
    pub target: String,
}

/// One customer: its figures and what lies behind them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub figures: CustomerRow,
    /// Sites of the organisation (its root included) and users placed in them.
    pub sites: i64,
    pub users: i64,
    pub subscriptions: Vec<CustomerSubscription>,
    pub administrators: Vec<CustomerAdministrator>,
    pub purchases: Vec<CustomerPurchase>,
    pub events: Vec<CustomerEvent>,
}

/// One day of usage of a subtree (or of every customer) for a product or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageDay {
    pub day: NaiveDate,
    pub sign_ins: i64,
    pub sign_in_failures: i64,
    /// Users who signed in or opened an application session that day.
    pub active_users: i64,
    pub app_sessions: i64,
    /// The most application sessions open at once (for every customer: the sum of each
    /// customer's own peak).
    pub peak_sessions: i64,
    /// Licences held at the end of the day, when it was counted.
    pub licences: Option<i64>,
}
