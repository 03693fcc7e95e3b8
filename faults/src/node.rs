//! A node's identity and its state machine: running, paused, killed, with checked transitions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A node of a cluster, numbered from 0 in the order the cluster started them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub usize);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}", self.0)
    }
}

/// What a node's process is doing, as far as the faults applied to it go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    /// The process runs (it may still be partitioned or under a clock offset).
    Running,
    /// The process group was stopped with SIGSTOP.
    Paused,
    /// The process was killed with SIGKILL and not restarted yet.
    Killed,
}

/// A transition a fault asks of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// Running -> paused.
    Pause,
    /// Paused -> running.
    Resume,
    /// Running or paused -> killed.
    Kill,
    /// Killed -> running.
    Restart,
}

impl NodeState {
    /// The state after `transition`, or why the transition's precondition does not hold.
    pub fn after(self, transition: Transition) -> Result<NodeState, String> {
        use NodeState::*;
        match (self, transition) {
            (Running, Transition::Pause) => Ok(Paused),
            (Paused, Transition::Resume) => Ok(Running),
            (Running | Paused, Transition::Kill) => Ok(Killed),
            (Killed, Transition::Restart) => Ok(Running),
            (state, transition) => Err(format!(
                "cannot {} a node that is {}",
                transition.verb(),
                state.adjective()
            )),
        }
    }

    /// The state in words ("running", "paused", "killed").
    pub fn adjective(self) -> &'static str {
        match self {
            NodeState::Running => "running",
            NodeState::Paused => "paused",
            NodeState::Killed => "killed",
        }
    }
}

impl Transition {
    /// The transition as a verb ("pause", "resume", "kill", "restart").
    pub fn verb(self) -> &'static str {
        match self {
            Transition::Pause => "pause",
            Transition::Resume => "resume",
            Transition::Kill => "kill",
            Transition::Restart => "restart",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transition_is_checked_against_the_state_it_leaves() {
        use NodeState::*;
        use Transition::*;
        let table = [
            (Running, Pause, Some(Paused)),
            (Running, Resume, None),
            (Running, Kill, Some(Killed)),
            (Running, Restart, None),
            (Paused, Pause, None),
            (Paused, Resume, Some(Running)),
            (Paused, Kill, Some(Killed)),
            (Paused, Restart, None),
            (Killed, Pause, None),
            (Killed, Resume, None),
            (Killed, Kill, None),
            (Killed, Restart, Some(Running)),
        ];
        for (from, t, to) in table {
            assert_eq!(from.after(t).ok(), to, "{from:?} --{t:?}-->");
        }
    }

    #[test]
    fn a_refused_transition_says_what_and_why() {
        let reason = NodeState::Killed.after(Transition::Pause).unwrap_err();
        assert_eq!(reason, "cannot pause a node that is killed");
    }
}
