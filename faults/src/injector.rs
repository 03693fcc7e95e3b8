//! The injector: applies faults to a cluster through its [`Mechanism`], resolving targets and
//! partition shapes with a seeded RNG, checking each node's state machine, and recording every
//! fault with its outcome. It decides nothing about *when* to fault: that is the nemesis's job.

use crate::{
    Effect, Fault, FaultError, FaultKind, FaultRecord, Mechanism, Network, NodeId, NodeState,
    Outcome, Target, Transition,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long a fault aimed at the primaries waits for the system to name one: etcd elects a new
/// leader within about a second of losing one.
const PRIMARIES_PATIENCE: Duration = Duration::from_secs(2);

/// Applies faults to one cluster and remembers what is in force.
pub struct Injector<M: Mechanism> {
    mechanism: M,
    rng: ChaCha8Rng,
    states: BTreeMap<NodeId, NodeState>,
    offsets: BTreeMap<NodeId, i64>,
    network: Network,
}

impl<M: Mechanism> Injector<M> {
    /// An injector over `mechanism`'s nodes, all running, with every random choice drawn from
    /// `seed`.
    pub fn new(mechanism: M, seed: u64) -> Injector<M> {
        let states = mechanism
            .nodes()
            .into_iter()
            .map(|n| (n, NodeState::Running))
            .collect();
        Injector {
            mechanism,
            rng: ChaCha8Rng::seed_from_u64(seed),
            states,
            offsets: BTreeMap::new(),
            network: Network::default(),
        }
    }

    /// The state of `node` as the injector has driven it.
    pub fn state(&self, node: NodeId) -> Option<NodeState> {
        self.states.get(&node).copied()
    }

    /// The network faults in force.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The mechanism, e.g. to reach the cluster.
    pub fn mechanism(&self) -> &M {
        &self.mechanism
    }

    /// The mechanism, mutably.
    pub fn mechanism_mut(&mut self) -> &mut M {
        &mut self.mechanism
    }

    /// Applies `fault` and returns its record. A fault the backend cannot do, or whose
    /// precondition is false, is recorded as skipped with the reason; `Err` only for failures of
    /// rift itself. A clock strobe blocks for its duration.
    pub fn apply(&mut self, fault: &Fault) -> Result<FaultRecord, FaultError> {
        let nodes: Vec<NodeId> = self.states.keys().copied().collect();
        let mut record = FaultRecord {
            fault: fault.clone(),
            nodes: Vec::new(),
            grudge: None,
            outcome: Outcome::Installed,
            effects: Vec::new(),
        };
        // Resolve first, so the RNG stream is the same whatever the backend supports.
        if let Some(target) = fault.target() {
            // Asked only when needed: the system may take long to say (a paused node times out).
            let primaries = match target {
                Target::Primaries => self.primaries_within(PRIMARIES_PATIENCE),
                _ => None,
            };
            match target.resolve(&nodes, primaries.as_deref(), &mut self.rng) {
                Ok(resolved) => record.nodes = resolved,
                Err(reason) => {
                    record.outcome = Outcome::skipped(reason);
                    return Ok(record);
                }
            }
        }
        if let Fault::Partition { shape } = fault {
            match shape.resolve(&nodes, &mut self.rng) {
                Ok(g) => record.grudge = Some(g),
                Err(reason) => {
                    record.outcome = Outcome::skipped(reason);
                    return Ok(record);
                }
            }
        }
        if let Some(reason) = self.mechanism.unsupported(fault.kind()) {
            record.outcome = Outcome::skipped(reason);
            return Ok(record);
        }
        match fault {
            Fault::Pause { .. } => self.each(&mut record, |s, n| s.step(n, Transition::Pause))?,
            Fault::Resume { .. } => self.each(&mut record, |s, n| s.step(n, Transition::Resume))?,
            Fault::Kill { .. } => self.each(&mut record, |s, n| s.step(n, Transition::Kill))?,
            Fault::Restart { .. } => {
                self.each(&mut record, |s, n| s.step(n, Transition::Restart))?
            }
            Fault::Partition { .. } => {
                let mut next = self.network.clone();
                next.grudge = record.grudge.clone().unwrap_or_default();
                record.outcome = self.install(next)?;
            }
            Fault::Heal => record.outcome = self.install(Network::default())?,
            Fault::PacketLoss { probability, .. } => {
                if !(*probability > 0.0 && *probability <= 1.0) {
                    record.outcome =
                        Outcome::skipped(format!("probability {probability} is not in (0, 1]"));
                    return Ok(record);
                }
                let mut next = self.network.clone();
                next.add_loss(&record.nodes, &nodes, *probability);
                record.outcome = self.install(next)?;
            }
            Fault::ClockBump { delta_ms, .. } => {
                let d = *delta_ms;
                self.each(&mut record, |s, n| {
                    let to = s.offsets.get(&n).copied().unwrap_or(0) + d;
                    s.set_clock(n, to)
                })?
            }
            Fault::ClockReset { .. } => self.each(&mut record, |s, n| s.set_clock(n, 0))?,
            Fault::ClockStrobe {
                delta_ms,
                period_ms,
                duration_ms,
                ..
            } => self.strobe(&mut record, *delta_ms, *period_ms, *duration_ms)?,
        }
        Ok(record)
    }

    /// The final phase of a run: heal the network, resume paused nodes, restart killed nodes and
    /// reset every clock. Returns the record of each fault applied.
    pub fn heal_everything(&mut self) -> Result<Vec<FaultRecord>, FaultError> {
        let mut records = Vec::new();
        if !self.network.is_healed() {
            records.push(self.apply(&Fault::Heal)?);
        }
        // Each step aims at exactly the nodes it undoes: a resume sent to a running node would be
        // recorded as skipped, which says nothing about the run.
        let in_state = |this: &Self, state: NodeState| -> Vec<NodeId> {
            let nodes = this.states.iter().filter(|(_, s)| **s == state);
            nodes.map(|(n, _)| *n).collect()
        };
        let paused = in_state(self, NodeState::Paused);
        if !paused.is_empty() {
            records.push(self.apply(&Fault::Resume {
                target: Target::Nodes(paused),
            })?);
        }
        let killed = in_state(self, NodeState::Killed);
        if !killed.is_empty() {
            records.push(self.apply(&Fault::Restart {
                target: Target::Nodes(killed),
            })?);
        }
        let skewed: Vec<NodeId> = self
            .offsets
            .iter()
            .filter(|(_, o)| **o != 0)
            .map(|(n, _)| *n)
            .collect();
        if !skewed.is_empty() {
            records.push(self.apply(&Fault::ClockReset {
                target: Target::Nodes(skewed),
            })?);
        }
        Ok(records)
    }

    fn each(
        &mut self,
        record: &mut FaultRecord,
        mut f: impl FnMut(&mut Self, NodeId) -> Result<Outcome, FaultError>,
    ) -> Result<(), FaultError> {
        let kind = record.fault.kind();
        for &node in &record.nodes {
            let outcome = match self.mechanism.unsupported_on(node, kind) {
                Some(reason) => Outcome::skipped(reason),
                None => f(self, node)?,
            };
            record.effects.push(Effect { node, outcome });
        }
        record.outcome = FaultRecord::combine(&record.effects);
        Ok(())
    }

    /// The primaries the system names, asked again every 100 ms for at most `patience` while it
    /// names none (an election under way after a pause or a kill).
    fn primaries_within(&self, patience: Duration) -> Option<Vec<NodeId>> {
        let deadline = Instant::now() + patience;
        loop {
            let named = self.mechanism.primaries();
            if named.as_ref().is_some_and(|p| !p.is_empty()) || Instant::now() >= deadline {
                return named;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn step(&mut self, node: NodeId, transition: Transition) -> Result<Outcome, FaultError> {
        let state = self.states[&node];
        let next = match state.after(transition) {
            Ok(next) => next,
            Err(reason) => return Ok(Outcome::skipped(reason)),
        };
        let outcome = self.mechanism.transition(node, transition)?;
        if !matches!(outcome, Outcome::Skipped { .. }) {
            self.states.insert(node, next);
        }
        Ok(outcome)
    }

    fn set_clock(&mut self, node: NodeId, offset_ms: i64) -> Result<Outcome, FaultError> {
        let outcome = self.mechanism.clock(node, offset_ms)?;
        if outcome.is_installed() {
            self.offsets.insert(node, offset_ms);
        }
        Ok(outcome)
    }

    fn install(&mut self, next: Network) -> Result<Outcome, FaultError> {
        let outcome = self.mechanism.network(&next)?;
        if outcome.is_installed() {
            self.network = next;
        }
        Ok(outcome)
    }

    fn strobe(
        &mut self,
        record: &mut FaultRecord,
        delta_ms: i64,
        period_ms: u64,
        duration_ms: u64,
    ) -> Result<(), FaultError> {
        let nodes: Vec<NodeId> = record
            .nodes
            .iter()
            .copied()
            .filter(
                |&n| match self.mechanism.unsupported_on(n, FaultKind::Clock) {
                    Some(reason) => {
                        record.effects.push(Effect {
                            node: n,
                            outcome: Outcome::skipped(reason),
                        });
                        false
                    }
                    None => true,
                },
            )
            .collect();
        let period = Duration::from_millis(period_ms.max(1));
        let end = Instant::now() + Duration::from_millis(duration_ms);
        let mut shifted = false;
        let mut outcomes: BTreeMap<NodeId, Outcome> = BTreeMap::new();
        // Bounded: at most duration / period flips, then one final reset.
        while Instant::now() < end {
            shifted = !shifted;
            for &n in &nodes {
                let base = self.offsets.get(&n).copied().unwrap_or(0);
                let to = if shifted { base + delta_ms } else { base };
                let outcome = self.mechanism.clock(n, to)?;
                outcomes.entry(n).or_insert(outcome);
            }
            std::thread::sleep(period.min(end.saturating_duration_since(Instant::now())));
        }
        for &n in &nodes {
            let base = self.offsets.get(&n).copied().unwrap_or(0);
            let outcome = self.mechanism.clock(n, base)?;
            outcomes.entry(n).or_insert(outcome);
        }
        record.effects.extend(
            outcomes
                .into_iter()
                .map(|(node, outcome)| Effect { node, outcome }),
        );
        record.effects.sort_by_key(|e| e.node);
        record.outcome = FaultRecord::combine(&record.effects);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The injector's policy (resolution, preconditions, records) over a mechanism that only
    //! writes down what it was asked; the real mechanisms are exercised by runner/tests/runner/cluster.rs.
    use super::*;
    use crate::{Grudge, Shape};

    #[derive(Default)]
    struct Ledger {
        calls: Vec<String>,
        no_network: bool,
    }

    impl Mechanism for Ledger {
        fn nodes(&self) -> Vec<NodeId> {
            (0..3).map(NodeId).collect()
        }
        fn unsupported(&self, kind: FaultKind) -> Option<String> {
            (self.no_network && kind == FaultKind::Partition).then(|| "no namespaces".into())
        }
        fn unsupported_on(&self, node: NodeId, kind: FaultKind) -> Option<String> {
            (node == NodeId(2) && kind == FaultKind::Clock).then(|| "a Go program".into())
        }
        fn transition(&mut self, node: NodeId, t: Transition) -> Result<Outcome, FaultError> {
            self.calls.push(format!("{} {node}", t.verb()));
            Ok(Outcome::Installed)
        }
        fn network(&mut self, network: &Network) -> Result<Outcome, FaultError> {
            self.calls.push(format!("network {:?}", network.grudge));
            Ok(Outcome::Installed)
        }
        fn clock(&mut self, node: NodeId, offset_ms: i64) -> Result<Outcome, FaultError> {
            self.calls.push(format!("clock {node} {offset_ms}"));
            Ok(Outcome::Installed)
        }
    }

    fn nodes(ids: &[usize]) -> Target {
        Target::Nodes(ids.iter().copied().map(NodeId).collect())
    }

    #[test]
    fn pausing_a_killed_node_is_skipped_with_the_reason_and_not_attempted() {
        let mut inj = Injector::new(Ledger::default(), 1);
        inj.apply(&Fault::Kill {
            target: nodes(&[0]),
        })
        .unwrap();
        let r = inj
            .apply(&Fault::Pause {
                target: nodes(&[0, 1]),
            })
            .unwrap();
        assert_eq!(r.outcome, Outcome::Installed);
        assert_eq!(
            r.effects[0].outcome,
            Outcome::skipped("cannot pause a node that is killed")
        );
        assert_eq!(r.effects[1].outcome, Outcome::Installed);
        assert_eq!(inj.mechanism().calls, ["kill n0", "pause n1"]);
        let again = inj
            .apply(&Fault::Kill {
                target: nodes(&[0]),
            })
            .unwrap();
        assert_eq!(
            again.outcome,
            Outcome::skipped("n0: cannot kill a node that is killed")
        );
    }

    #[test]
    fn a_backend_without_partitions_skips_them_with_its_reason() {
        let mut inj = Injector::new(
            Ledger {
                no_network: true,
                ..Ledger::default()
            },
            1,
        );
        let r = inj
            .apply(&Fault::Partition {
                shape: Shape::IsolateOne,
            })
            .unwrap();
        assert_eq!(r.outcome, Outcome::skipped("no namespaces"));
        assert!(
            r.grudge.is_some(),
            "the shape is still resolved and recorded"
        );
        assert!(inj.mechanism().calls.is_empty());
    }

    #[test]
    fn clock_bumps_accumulate_and_skip_nodes_the_clock_cannot_reach() {
        let mut inj = Injector::new(Ledger::default(), 1);
        inj.apply(&Fault::ClockBump {
            target: nodes(&[0, 2]),
            delta_ms: 100,
        })
        .unwrap();
        let r = inj
            .apply(&Fault::ClockBump {
                target: nodes(&[0, 2]),
                delta_ms: -30,
            })
            .unwrap();
        assert_eq!(r.effects[1].outcome, Outcome::skipped("a Go program"));
        assert_eq!(inj.mechanism().calls, ["clock n0 100", "clock n0 70"]);
    }

    #[test]
    fn healing_everything_undoes_exactly_what_is_in_force() {
        let mut inj = Injector::new(Ledger::default(), 1);
        let g = Grudge::between(&[NodeId(0)], &[NodeId(1)]);
        inj.apply(&Fault::Partition {
            shape: Shape::Exact(g),
        })
        .unwrap();
        inj.apply(&Fault::Pause {
            target: nodes(&[1]),
        })
        .unwrap();
        inj.apply(&Fault::Kill {
            target: nodes(&[2]),
        })
        .unwrap();
        inj.apply(&Fault::ClockBump {
            target: nodes(&[0]),
            delta_ms: 5,
        })
        .unwrap();
        inj.mechanism_mut().calls.clear();
        let records = inj.heal_everything().unwrap();
        assert_eq!(records.len(), 4);
        assert_eq!(
            inj.mechanism().calls,
            [
                "network Grudge({})",
                "resume n1",
                "restart n2",
                "clock n0 0"
            ]
        );
        assert!(
            records.iter().all(|r| r.outcome == Outcome::Installed),
            "{records:?}"
        );
        assert!(
            records
                .iter()
                .flat_map(|r| &r.effects)
                .all(|e| e.outcome == Outcome::Installed),
            "every step aims at exactly the nodes it undoes: {records:?}"
        );
        assert!(
            inj.heal_everything().unwrap().is_empty(),
            "nothing left to heal"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_records() {
        let faults = [
            Fault::Partition {
                shape: Shape::RandomHalves,
            },
            Fault::Pause {
                target: Target::One,
            },
            Fault::Kill {
                target: Target::Minority,
            },
        ];
        let run = |seed| {
            let mut inj = Injector::new(Ledger::default(), seed);
            faults
                .iter()
                .map(|f| inj.apply(f).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
    }
}
