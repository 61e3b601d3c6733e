//! A user's licence as the pages show it, and what the claim at sign-in came to.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A user's licence today: none, valid since a day, valid from a day to come, or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", content = "date", rename_all = "snake_case")]
pub enum LicenceState {
    #[default]
    None,
    /// Valid since this day.
    Active(NaiveDate),
    /// Valid from this day on (not yet).
    Upcoming(NaiveDate),
    /// Ended; the day after its last day.
    Expired(NaiveDate),
}

impl LicenceState {
    /// The stable key pages use in classes and `data-licence` attributes.
    pub fn key(self) -> &'static str {
        match self {
            LicenceState::None => "none",
            LicenceState::Active(_) => "active",
            LicenceState::Upcoming(_) => "upcoming",
            LicenceState::Expired(_) => "expired",
        }
    }
}

/// What the licence claim at sign-in came to, told once on the overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "date", rename_all = "snake_case")]
pub enum ClaimOutcome {
    /// A free seat was taken: the licence is valid now.
    Claimed,
    /// A seat was taken for a licence that starts on this day.
    Upcoming(NaiveDate),
    /// No seat was free.
    NoneFree,
}

/// Why an account cannot sign in yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pending {
    /// The e-mail address is not confirmed.
    Verify,
    /// An administrator has not reviewed the registration.
    Approval,
}

impl Pending {
    /// From the text stored with the account (`verify`, `approval`).
    pub fn parse(text: &str) -> Option<Pending> {
        match text {
            "verify" => Some(Pending::Verify),
            "approval" => Some(Pending::Approval),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_write_a_state_with_its_date() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let json = serde_json::to_string(&LicenceState::Active(day)).unwrap_or_default();
        assert_eq!(json, r#"{"state":"active","date":"2026-12-03"}"#);
        assert_eq!(LicenceState::Expired(day).key(), "expired");
    }
}
