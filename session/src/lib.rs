//! A browser's session, the same for server functions and the server's own handlers: the
//! store over the domain's session table, the keys a session holds, the principal it stands
//! for, the client it came from, and beginning one at sign-in.
mod begin;
mod client;
pub mod keys;
mod principal;
mod second_factor;
mod store;

pub use begin::{begin_session, locale_cookie, note_claim, renew_session, Arrival};
pub use client::{client_address_of, user_agent, ClientAddress};
pub use principal::{principal_of, session_principal, session_principal_in, PrincipalMemo};
pub use second_factor::{
    after_first_step, complete_second_factor, pending_enrolment, pending_second_factor, Pending,
    ENROL_PATIENCE_SECS, PATIENCE_SECS,
};
pub use store::DbSessionStore;
