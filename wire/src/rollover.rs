//! The school-year rollover: where a class's pupils go, and where a rollover stands.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where the pupils of a class go at the rollover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "class", rename_all = "snake_case")]
pub enum NextClass {
    /// To this class (of the same site's subtree).
    Class(Uuid),
    /// They leave: placed in the class's parent and expired on the rollover's date.
    Leave,
    /// They stay where they are.
    Stay,
}

/// Where a rollover stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloverState {
    Running,
    Done,
    Failed,
    Undone,
}

impl RolloverState {
    pub const ALL: [RolloverState; 4] = [
        RolloverState::Running,
        RolloverState::Done,
        RolloverState::Failed,
        RolloverState::Undone,
    ];

    /// The text stored with the rollover.
    pub fn as_str(self) -> &'static str {
        match self {
            RolloverState::Running => "running",
            RolloverState::Done => "done",
            RolloverState::Failed => "failed",
            RolloverState::Undone => "undone",
        }
    }

    /// From the stored text; anything unknown reads as failed.
    pub fn parse(text: &str) -> RolloverState {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(RolloverState::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_read_back_what_it_stores() {
        for state in RolloverState::ALL {
            assert_eq!(RolloverState::parse(state.as_str()), state);
        }
        let next = NextClass::Class(Uuid::nil());
        let json = serde_json::to_string(&next).unwrap_or_default();
        assert_eq!(serde_json::from_str::<NextClass>(&json).ok(), Some(next));
    }
}
