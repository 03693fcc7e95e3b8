//! What became of a fault: installed, skipped with the reason, or indeterminate.

use crate::{Fault, Grudge, NodeId};
use serde::{Deserialize, Serialize};

/// The outcome of applying a fault (or its effect on one node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The fault is in force.
    Installed,
    /// The fault was not applied because a precondition was false.
    Skipped {
        /// Why, in words ("cannot pause a node that is killed").
        reason: String,
    },
    /// rift tried, and cannot tell whether the fault took effect.
    Indeterminate {
        /// Why, in words.
        reason: String,
    },
}

impl Outcome {
    /// A skipped outcome with this reason.
    pub fn skipped(reason: impl Into<String>) -> Outcome {
        Outcome::Skipped {
            reason: reason.into(),
        }
    }

    /// Whether the fault is in force.
    pub fn is_installed(&self) -> bool {
        matches!(self, Outcome::Installed)
    }
}

/// A fault's effect on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effect {
    /// The node.
    pub node: NodeId,
    /// What became of the fault there.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A fault as applied: the fault, what it resolved to, and its outcome. This is what rift records
/// (faults.jsonl, and nemesis entries in the history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRecord {
    /// The fault as scheduled.
    pub fault: Fault,
    /// The nodes its target resolved to (empty for partitions and heal).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeId>,
    /// The partition its shape resolved to, for partitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grudge: Option<Grudge>,
    /// The outcome as a whole: installed if it took effect on every node it could reach and
    /// nowhere is it indeterminate; skipped if it took effect nowhere; else indeterminate.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Its outcome on each node, for faults aimed at nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
}

impl FaultRecord {
    /// The record of `fault` applied to `nodes` (none for partitions) with one outcome on all of
    /// them, without per-node effects or a grudge.
    pub fn uniform(fault: Fault, nodes: Vec<NodeId>, outcome: Outcome) -> FaultRecord {
        FaultRecord {
            fault,
            nodes,
            grudge: None,
            outcome,
            effects: vec![],
        }
    }

    /// Combines per-node effects into one outcome (see [`FaultRecord::outcome`]).
    pub fn combine(effects: &[Effect]) -> Outcome {
        let indeterminate: Vec<String> = effects
            .iter()
            .filter_map(|e| match &e.outcome {
                Outcome::Indeterminate { reason } => Some(format!("{}: {reason}", e.node)),
                _ => None,
            })
            .collect();
        if !indeterminate.is_empty() {
            return Outcome::Indeterminate {
                reason: indeterminate.join("; "),
            };
        }
        if effects.iter().any(|e| e.outcome.is_installed()) {
            return Outcome::Installed;
        }
        let reasons: Vec<String> = effects
            .iter()
            .filter_map(|e| match &e.outcome {
                Outcome::Skipped { reason } => Some(format!("{}: {reason}", e.node)),
                _ => None,
            })
            .collect();
        if reasons.is_empty() {
            Outcome::skipped("no node to apply it to")
        } else {
            Outcome::skipped(reasons.join("; "))
        }
    }
}
