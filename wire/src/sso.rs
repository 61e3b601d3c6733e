//! Single sign-on as the pages show it.
use serde::{Deserialize, Serialize};

/// A single sign-on provider as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoProvider {
    /// In URLs and on stored links (`google`).
    pub key: String,
    pub name: String,
    /// Path or URL of the icon.
    pub icon: String,
}

/// How a session was signed in: with a password, or with a linked provider (by its key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    Password,
    /// A passkey, without password.
    Passkey,
    Provider(String),
}

impl SignInMethod {
    /// As a session stores it: `password`, or the provider's key.
    pub fn stored(&self) -> &str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::Passkey => "passkey",
            SignInMethod::Provider(key) => key,
        }
    }

    pub fn from_stored(text: &str) -> SignInMethod {
        match text {
            "password" => SignInMethod::Password,
            "passkey" => SignInMethod::Passkey,
            key => SignInMethod::Provider(key.to_string()),
        }
    }
}
