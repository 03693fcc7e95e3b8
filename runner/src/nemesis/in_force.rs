//! What the faults applied so far have left in force, so that the end of a run undoes exactly
//! that: a resume for the nodes still paused, a restart for those still killed, a clock reset
//! for those still skewed, a heal while a partition or packet loss may be in place — and nothing
//! for a fault already undone (a resume sent to running nodes would only be recorded as skipped).

use faults::{Effect, Fault, FaultRecord, NodeId, Outcome, Target};
use std::collections::BTreeSet;

/// Faults in force, node by node.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct InForce {
    paused: BTreeSet<NodeId>,
    killed: BTreeSet<NodeId>,
    skewed: BTreeSet<NodeId>,
    network: bool,
}

impl InForce {
    /// Takes note of one applied fault. A start counts wherever it was not skipped (an
    /// indeterminate pause may have taken effect); an end counts wherever it took effect or
    /// found nothing to undo, and an indeterminate end leaves the node for the final heal.
    pub fn note(&mut self, record: &FaultRecord) {
        let per_node: Vec<Effect> = if record.effects.is_empty() {
            record
                .nodes
                .iter()
                .map(|&node| Effect {
                    node,
                    outcome: record.outcome.clone(),
                })
                .collect()
        } else {
            record.effects.clone()
        };
        let started = || {
            per_node
                .iter()
                .filter(|e| !matches!(e.outcome, Outcome::Skipped { .. }))
                .map(|e| e.node)
        };
        let ended = || {
            per_node
                .iter()
                .filter(|e| !matches!(e.outcome, Outcome::Indeterminate { .. }))
                .map(|e| e.node)
        };
        match &record.fault {
            Fault::Pause { .. } => self.paused.extend(started()),
            Fault::Kill { .. } => self.killed.extend(started()),
            Fault::ClockBump { .. } | Fault::ClockStrobe { .. } => self.skewed.extend(started()),
            Fault::Resume { .. } => ended().for_each(|n| {
                self.paused.remove(&n);
            }),
            Fault::Restart { .. } => ended().for_each(|n| {
                self.killed.remove(&n);
            }),
            Fault::ClockReset { .. } => ended().for_each(|n| {
                self.skewed.remove(&n);
            }),
            Fault::Partition { .. } | Fault::PacketLoss { .. } => {
                self.network |= !matches!(record.outcome, Outcome::Skipped { .. })
            }
            Fault::Heal => self.network &= matches!(record.outcome, Outcome::Indeterminate { .. }),
        }
    }

    /// The faults that undo everything in force, each aimed at exactly the nodes it concerns;
    /// empty when nothing is.
    pub fn final_heal(&self) -> Vec<Fault> {
        let nodes = |set: &BTreeSet<NodeId>| Target::Nodes(set.iter().copied().collect());
        let mut heal = Vec::new();
        if self.network {
            heal.push(Fault::Heal);
        }
        if !self.paused.is_empty() {
            heal.push(Fault::Resume {
                target: nodes(&self.paused),
            });
        }
        if !self.killed.is_empty() {
            heal.push(Fault::Restart {
                target: nodes(&self.killed),
            });
        }
        if !self.skewed.is_empty() {
            heal.push(Fault::ClockReset {
                target: nodes(&self.skewed),
            });
        }
        heal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fault: Fault, nodes: &[usize], outcome: Outcome) -> FaultRecord {
        FaultRecord::uniform(fault, nodes.iter().map(|&n| NodeId(n)).collect(), outcome)
    }

    const fn pause() -> Fault {
        Fault::Pause {
            target: Target::One,
        }
    }

    const fn resume() -> Fault {
        Fault::Resume {
            target: Target::All,
        }
    }

    #[test]
    fn a_pause_already_resumed_needs_no_final_heal() {
        let mut f = InForce::default();
        f.note(&record(pause(), &[0], Outcome::Installed));
        f.note(&record(resume(), &[0], Outcome::Installed));
        assert_eq!(f.final_heal(), vec![]);
    }

    #[test]
    fn the_final_heal_undoes_exactly_what_is_still_in_force() {
        let mut f = InForce::default();
        f.note(&record(pause(), &[2], Outcome::Installed));
        f.note(&record(
            Fault::Kill {
                target: Target::One,
            },
            &[1],
            Outcome::Installed,
        ));
        let partition = Fault::Partition {
            shape: faults::Shape::IsolateOne,
        };
        f.note(&record(partition, &[], Outcome::Installed));
        assert_eq!(
            f.final_heal(),
            vec![
                Fault::Heal,
                Fault::Resume {
                    target: Target::Nodes(vec![NodeId(2)])
                },
                Fault::Restart {
                    target: Target::Nodes(vec![NodeId(1)])
                },
            ]
        );
    }

    #[test]
    fn a_skipped_start_leaves_nothing_and_an_indeterminate_end_leaves_its_node() {
        let skipped = Outcome::Skipped {
            reason: "cannot pause a node that is killed".into(),
        };
        let unsure = Outcome::Indeterminate {
            reason: "timed out".into(),
        };
        let mut f = InForce::default();
        f.note(&record(pause(), &[0], skipped));
        assert_eq!(f.final_heal(), vec![]);
        f.note(&record(pause(), &[1], Outcome::Installed));
        f.note(&record(resume(), &[1], unsure));
        assert_eq!(
            f.final_heal(),
            vec![Fault::Resume {
                target: Target::Nodes(vec![NodeId(1)])
            }]
        );
    }
}
