//! What crosses the wire between the server and the browser, shared by `domain` (which
//! produces it) and `app` (which shows it): the error codes and the value types pages match on.
//! No database, no UI: it compiles to wasm.
pub mod code;
pub mod customers;
pub mod failure;
pub mod federation;
pub mod import;
pub mod lang;
pub mod licence;
pub mod named;
pub mod rollover;
pub mod sso;
pub mod states;
pub mod texts;
pub mod time;
pub mod token;
pub mod url;

pub use code::Code;
pub use customers::{
    CustomerAdministrator, CustomerDetail, CustomerEvent, CustomerPage, CustomerPurchase,
    CustomerRole, CustomerRow, CustomerSort, CustomerSubscription, RenewalRow, RenewalState,
    SubscriptionCounts, UsageDay,
};
pub use failure::Failure;
pub use federation::{Federation, FederationIdentifier, FederationPreview, RoleRule};
pub use import::RunState;
pub use lang::Lang;
pub use licence::{ClaimOutcome, LicenceState, Pending};
pub use rollover::{NextClass, RolloverState};
pub use sso::{SignInMethod, SsoProvider};
pub use states::{
    AnnouncementKind, BulkKind, ConditionOp, DateFormat, FieldRule, IdScheme, JobStatus, MatchOn,
    PropertyKind, PurchaseStatus, RegistrationFlow, Schedule, SecondFactorPolicy,
    SubscriptionState, UpdatesChoice,
};
pub use token::TokenState;
