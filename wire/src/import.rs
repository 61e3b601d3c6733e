//! Where an import run stands.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Done,
    Cancelled,
    Failed,
}

impl RunState {
    /// The text stored with the run.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Done => "done",
            RunState::Cancelled => "cancelled",
            RunState::Failed => "failed",
        }
    }

    /// From the stored text; anything unknown reads as failed.
    pub fn parse(text: &str) -> RunState {
        [RunState::Running, RunState::Done, RunState::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(RunState::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::RunState;

    #[test]
    fn should_read_back_what_it_stores() {
        for state in [
            RunState::Running,
            RunState::Done,
            RunState::Cancelled,
            RunState::Failed,
        ] {
            assert_eq!(RunState::parse(state.as_str()), state);
        }
        assert_eq!(RunState::parse("something else"), RunState::Failed);
    }
}
