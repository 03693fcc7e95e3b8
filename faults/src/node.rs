//! A node's identity and its state machine: running, paused, killed, with checked transitions.

use serde::de::{self, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A node of a cluster, numbered from 0 in the order the cluster started them. Serialised as its
/// number; read from a number or from a number's text, which is how a JSON object key holds it
/// (a [`Grudge`](crate::Grudge) in JSON: `{"0": [1, 2]}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct NodeId(pub usize);

/// Reads a [`NodeId`] from a number or its text. serde_json turns an object key into a number
/// only when it is read straight into one; a grudge read through a buffering wrapper (a
/// `#[serde(flatten)]` record, as in the run store's faults.jsonl) sees the key as text.
struct NodeIdVisitor;

impl Visitor<'_> for NodeIdVisitor {
    type Value = NodeId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a node number")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeId, E> {
        usize::try_from(v)
            .map(NodeId)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeId, E> {
        usize::try_from(v)
            .map(NodeId)
            .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeId, E> {
        v.parse()
            .map(NodeId)
            .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
    }
}

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NodeId, D::Error> {
        d.deserialize_any(NodeIdVisitor)
    }
}

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
    fn a_grudge_in_a_flattened_record_reads_back() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Line {
            at: u64,
            #[serde(flatten)]
            grudge: Wrapped,
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Wrapped {
            grudge: crate::Grudge,
        }
        let line = Line {
            at: 5,
            grudge: Wrapped {
                grudge: crate::Grudge::between(&[NodeId(0)], &[NodeId(1), NodeId(2)]),
            },
        };
        let text = serde_json::to_string(&line).unwrap();
        assert!(text.contains(r#""0":[1,2]"#), "{text}");
        assert_eq!(serde_json::from_str::<Line>(&text).unwrap(), line);
    }

    #[test]
    fn a_node_id_is_a_number_or_its_text_and_nothing_else() {
        assert_eq!(serde_json::from_str::<NodeId>("2").unwrap(), NodeId(2));
        assert_eq!(serde_json::from_str::<NodeId>(r#""2""#).unwrap(), NodeId(2));
        for bad in ["-1", r#""n2""#, "1.5", "null"] {
            let e = serde_json::from_str::<NodeId>(bad).unwrap_err().to_string();
            assert!(e.contains("a node number"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_refused_transition_says_what_and_why() {
        let reason = NodeState::Killed.after(Transition::Pause).unwrap_err();
        assert_eq!(reason, "cannot pause a node that is killed");
    }
}
