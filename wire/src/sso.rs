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
