//! Single sign-on with OpenID Connect: the authorization code flow with PKCE, `state` and
//! `nonce`, the ID token's signature and claims checked against the issuer's discovered keys.
//! The rules (who may link what, who may sign in) are the domain's (`domain::sso`).
mod flow;
mod oidc;
pub mod providers;

pub use flow::{callback, start, CallbackQuery, Context, StartQuery, Via};
pub use oidc::Sso;
