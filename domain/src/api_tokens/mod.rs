//! API tokens (as Zermelo has them): for a user or a service account (a user named after an
//! external company, without a password, that cannot sign in). A token is shown once; only its
//! SHA-256 is stored, with its first characters as a hint. It expires on a day, is listed with
//! its last use, and can be revoked. What a token may do is what its account's roles allow:
//! the API loads the account's [`Principal`](crate::Principal) and every call goes through the
//! same access checks as the pages.
mod authenticate;
mod issue;
mod list;
mod service_accounts;

pub use authenticate::authenticate;
pub(crate) use authenticate::{accept, cached, digest_of, find, remember};
pub use issue::{issue, issue_unchecked, revoke, Issued, NewToken};
pub use list::{list, mine, service_accounts, Account, ApiToken, TokenState};
pub use service_accounts::create_service_account;

/// Tokens start with this, so that secret scanners (and people) recognise them.
pub const PREFIX: &str = "lic_";
