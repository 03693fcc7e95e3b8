//! The network faults in force: a partition and packet loss, as one value that a mechanism
//! installs whole (so a new partition replaces the old one atomically).

use crate::{Grudge, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every network fault in force at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// The partition in force (empty when healed).
    pub grudge: Grudge,
    /// Packet loss: node -> (sender -> probability that the node drops the sender's packets).
    pub loss: BTreeMap<NodeId, BTreeMap<NodeId, f64>>,
}

impl Network {
    /// Whether nothing is cut and nothing is lossy.
    pub fn is_healed(&self) -> bool {
        self.grudge.is_empty() && self.loss.values().all(|m| m.is_empty())
    }

    /// Adds loss of probability `p` on every packet between a node of `lossy` and any other
    /// node of `all`, both ways (a later call for the same pair overrides the probability).
    pub fn add_loss(&mut self, lossy: &[NodeId], all: &[NodeId], p: f64) {
        for &x in lossy {
            for &y in all {
                if x != y {
                    self.loss.entry(x).or_default().insert(y, p);
                    self.loss.entry(y).or_default().insert(x, p);
                }
            }
        }
    }

    /// The senders `node` drops at random, with their probability.
    pub fn lossy_senders(&self, node: NodeId) -> impl Iterator<Item = (NodeId, f64)> + '_ {
        self.loss
            .get(&node)
            .into_iter()
            .flatten()
            .map(|(&k, &p)| (k, p))
    }
}
