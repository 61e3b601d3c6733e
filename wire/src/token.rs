//! An API token's state as its owner and their administrators see it.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    /// The stable key (classes, the HTTP API).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TokenState;

    #[test]
    fn should_write_the_key_it_names() {
        for state in [TokenState::Active, TokenState::Expired, TokenState::Revoked] {
            let json = serde_json::to_string(&state).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
    }
}
