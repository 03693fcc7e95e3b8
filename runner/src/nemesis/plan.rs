//! The nemesis plan: every fault at its offset, drawn from the seed before the run.

use super::NemesisConfig;
use crate::generator::{Context, Generator, Next};
use faults::{Fault, FaultKind, NodeId, Shape, Target};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A fault at its offset from the start of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planned {
    /// Nanoseconds since the start of the run.
    pub at: u64,
    /// What to do.
    pub fault: Fault,
}

/// The nemesis's schedule for one run, in time order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// The faults, sorted by offset.
    pub steps: Vec<Planned>,
}

/// True for the faults that start something (everything but heal, resume, restart, reset).
pub fn starts_fault(f: &Fault) -> bool {
    !matches!(
        f,
        Fault::Heal | Fault::Resume { .. } | Fault::Restart { .. } | Fault::ClockReset { .. }
    )
}

/// The ending fault aimed at the nodes its start actually hit. A plan's target "primaries" is
/// resolved only when applied; by the time a pause or kill is undone the primary is usually
/// another node, so the resume, restart or clock reset must go to the nodes the start resolved
/// (`started`), not to whoever leads now. Other faults are returned unchanged.
pub fn pinned_to_started(end: &Fault, started: &[NodeId]) -> Fault {
    let pinned = || Target::Nodes(started.to_vec());
    match end {
        Fault::Resume {
            target: Target::Primaries,
        } => Fault::Resume { target: pinned() },
        Fault::Restart {
            target: Target::Primaries,
        } => Fault::Restart { target: pinned() },
        Fault::ClockReset {
            target: Target::Primaries,
        } => Fault::ClockReset { target: pinned() },
        other => other.clone(),
    }
}

impl Plan {
    /// Draws the plan for a run of `time_limit` ns over `nodes` nodes from `seed`: after a healthy
    /// first interval, a fault of a kind drawn from the mix starts, lasts one jittered interval and
    /// ends; the cluster stays healthy one jittered interval; and so on until the time limit. A
    /// fault still active at the time limit is ended by the final phase. The config must be valid
    /// ([`NemesisConfig::validate`]).
    pub fn draw(config: &NemesisConfig, nodes: usize, time_limit: u64, seed: u64) -> Plan {
        let mut steps = Vec::new();
        if config.faults.is_empty() || nodes == 0 {
            return Plan { steps };
        }
        let ids: Vec<NodeId> = (0..nodes).map(NodeId).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mean = ((config.interval_s * 1e9) as u64).max(2);
        let jitter = |rng: &mut ChaCha8Rng| rng.gen_range(mean / 2..=mean + mean / 2);
        let mut t = jitter(&mut rng);
        while t < time_limit {
            let kind = *config.faults.choose(&mut rng).expect("faults is not empty");
            let (start, end) = draw_fault(&mut rng, config, kind, &ids);
            steps.push(Planned {
                at: t,
                fault: start,
            });
            t += jitter(&mut rng);
            if t >= time_limit {
                break;
            }
            steps.push(Planned { at: t, fault: end });
            t += jitter(&mut rng);
        }
        Plan { steps }
    }

    /// A cursor that yields the faults as a generator over explicit time.
    pub fn cursor(&self) -> PlanCursor {
        PlanCursor {
            steps: self.steps.clone(),
            next: 0,
        }
    }
}

/// The target resolved to named nodes (primaries stay as they are: only the cluster knows them).
fn resolve(rng: &mut ChaCha8Rng, t: &Target, ids: &[NodeId]) -> Target {
    match t.resolve(ids, None, rng) {
        Ok(nodes) => Target::Nodes(nodes),
        Err(_) => t.clone(),
    }
}

/// A fault of `kind` with its nodes, and the fault that ends it.
fn draw_fault(
    rng: &mut ChaCha8Rng,
    c: &NemesisConfig,
    kind: FaultKind,
    ids: &[NodeId],
) -> (Fault, Fault) {
    let who = |rng: &mut ChaCha8Rng| {
        let t = c
            .targets
            .choose(rng)
            .expect("validated: targets not empty")
            .clone();
        resolve(rng, &t, ids)
    };
    match kind {
        FaultKind::Partition => {
            let shape = c
                .partitions
                .choose(rng)
                .expect("validated: shapes not empty")
                .clone();
            let shape = match shape.resolve(ids, rng) {
                Ok(grudge) => Shape::Exact(grudge),
                Err(_) => shape,
            };
            (Fault::Partition { shape }, Fault::Heal)
        }
        FaultKind::PacketLoss => {
            let target = who(rng);
            (
                Fault::PacketLoss {
                    target,
                    probability: c.packet_loss,
                },
                Fault::Heal,
            )
        }
        FaultKind::Pause => {
            let target = who(rng);
            (
                Fault::Pause {
                    target: target.clone(),
                },
                Fault::Resume { target },
            )
        }
        FaultKind::Kill => {
            let target = who(rng);
            (
                Fault::Kill {
                    target: target.clone(),
                },
                Fault::Restart { target },
            )
        }
        FaultKind::Clock => {
            let target = who(rng);
            let max = c.clock_offset_ms.max(1) as i64;
            let magnitude = rng.gen_range((max / 2).max(1)..=max);
            let delta_ms = if rng.gen_bool(0.5) {
                magnitude
            } else {
                -magnitude
            };
            (
                Fault::ClockBump {
                    target: target.clone(),
                    delta_ms,
                },
                Fault::ClockReset { target },
            )
        }
    }
}

/// A plan replayed as a generator: each fault when its offset comes.
#[derive(Debug, Clone)]
pub struct PlanCursor {
    steps: Vec<Planned>,
    next: usize,
}

impl Generator for PlanCursor {
    type Item = Planned;
    fn next(&mut self, ctx: Context) -> Next<Planned> {
        match self.steps.get(self.next) {
            None => Next::Done,
            Some(p) if p.at > ctx.time => Next::Pending(p.at),
            Some(p) => {
                self.next += 1;
                Next::Op(p.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_end_aimed_at_primaries_goes_to_the_nodes_its_start_hit() {
        let end = Fault::Resume {
            target: Target::Primaries,
        };
        assert_eq!(
            pinned_to_started(&end, &[NodeId(2)]),
            Fault::Resume {
                target: Target::Nodes(vec![NodeId(2)])
            }
        );
        let named = Fault::Resume {
            target: Target::Nodes(vec![NodeId(1)]),
        };
        assert_eq!(pinned_to_started(&named, &[NodeId(2)]), named);
    }

    use super::*;

    const S: u64 = 1_000_000_000;

    fn config() -> NemesisConfig {
        NemesisConfig {
            faults: vec![
                FaultKind::Partition,
                FaultKind::Pause,
                FaultKind::Kill,
                FaultKind::Clock,
            ],
            interval_s: 2.0,
            targets: vec![Target::One, Target::Majority],
            partitions: vec![Shape::RandomHalves, Shape::IsolateOne],
            clock_offset_ms: 4000,
            packet_loss: 0.5,
        }
    }

    fn nodes_of(f: &Fault) -> Vec<NodeId> {
        match f.target() {
            Some(Target::Nodes(n)) => n.clone(),
            other => panic!("unresolved target {other:?}"),
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_fault_schedule() {
        let a = Plan::draw(&config(), 5, 60 * S, 42);
        let b = Plan::draw(&config(), 5, 60 * S, 42);
        let c = Plan::draw(&config(), 5, 60 * S, 43);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn a_plan_alternates_starting_and_ending_a_fault_within_the_time_limit() {
        for seed in 0..20 {
            let plan = Plan::draw(&config(), 5, 30 * S, seed);
            assert!(!plan.steps.is_empty());
            for (i, p) in plan.steps.iter().enumerate() {
                assert!(p.at < 30 * S);
                assert_eq!(
                    starts_fault(&p.fault),
                    i % 2 == 0,
                    "step {i}: {:?}",
                    p.fault
                );
            }
            for w in plan.steps.windows(2) {
                let gap = w[1].at - w[0].at;
                assert!(
                    (S..=3 * S).contains(&gap),
                    "gap {gap} outside [0.5, 1.5] x 2 s"
                );
            }
        }
    }

    #[test]
    fn a_plan_uses_only_the_configured_faults_targets_and_offsets() {
        let c = NemesisConfig {
            faults: vec![FaultKind::Pause, FaultKind::Clock],
            targets: vec![Target::One],
            ..config()
        };
        for seed in 0..20 {
            for p in Plan::draw(&c, 3, 40 * S, seed).steps {
                assert_eq!(nodes_of(&p.fault).len(), 1);
                match p.fault {
                    Fault::Pause { .. } | Fault::Resume { .. } | Fault::ClockReset { .. } => {}
                    Fault::ClockBump { delta_ms, .. } => {
                        assert!((2000..=4000).contains(&delta_ms.abs()))
                    }
                    other => panic!("unexpected fault {other:?}"),
                }
            }
        }
    }

    #[test]
    fn partitions_are_drawn_as_exact_grudges() {
        let c = NemesisConfig {
            faults: vec![FaultKind::Partition],
            ..config()
        };
        let plan = Plan::draw(&c, 3, 40 * S, 5);
        let p = &plan.steps[0].fault;
        assert!(
            matches!(p, Fault::Partition { shape: Shape::Exact(g) } if !g.is_empty()),
            "{p:?}"
        );
        assert_eq!(plan.steps[1].fault, Fault::Heal);
    }

    #[test]
    fn every_fault_is_ended_by_the_fault_that_undoes_it_on_the_same_nodes() {
        let plan = Plan::draw(&config(), 5, 100 * S, 9);
        for pair in plan.steps.chunks(2).filter(|c| c.len() == 2) {
            let (a, b) = (&pair[0].fault, &pair[1].fault);
            let ok = match (a, b) {
                (Fault::Partition { .. }, Fault::Heal) => true,
                (Fault::Pause { .. }, Fault::Resume { .. })
                | (Fault::Kill { .. }, Fault::Restart { .. })
                | (Fault::ClockBump { .. }, Fault::ClockReset { .. }) => nodes_of(a) == nodes_of(b),
                _ => false,
            };
            assert!(ok, "{a:?} then {b:?}");
        }
    }

    #[test]
    fn the_cursor_yields_each_fault_when_its_offset_comes() {
        let plan = Plan::draw(&config(), 3, 10 * S, 1);
        let first = plan.steps[0].at;
        let mut cur = plan.cursor();
        let ctx = |time| Context { time, process: 0 };
        assert_eq!(cur.next(ctx(0)), Next::Pending(first));
        assert_eq!(cur.next(ctx(first)), Next::Op(plan.steps[0].clone()));
    }

    #[test]
    fn no_faults_gives_an_empty_plan() {
        assert!(Plan::draw(&NemesisConfig::none(), 3, 60 * S, 1)
            .steps
            .is_empty());
    }
}
