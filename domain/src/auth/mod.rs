//! Signing in, and what the signed-in user may see of themselves.
pub mod devices;
mod passkey;
pub mod password;
mod profile;
mod reset;
mod sign_in;
pub mod throttle;

pub use passkey::{sign_in_with_passkey, PasskeySignIn};
pub use profile::{me, profile, set_language, update_profile, Me, Profile, ProfileForm};
pub use reset::{change_password, request_reset, set_password_with_token, token_owner};
pub(crate) use sign_in::refusal_of;
pub(crate) use sign_in::sign_in_for_application;
pub(crate) use sign_in::signed_in_at;
pub use sign_in::{refusal, sign_in, sign_in_from, BrowserSignIn, Client, SignedIn};
