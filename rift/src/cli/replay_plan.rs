//! The fault schedule a stored run followed, read back from its faults.jsonl as a [`Plan`].

use faults::{Fault, Target};
use runner::nemesis::{starts_fault, Plan, Planned};
use runner::store::FaultLine;

/// The ending fault aimed at `target` (resume, restart and clock reset; others unchanged).
fn aimed_at(end: &Fault, target: Target) -> Fault {
    match end {
        Fault::Resume { .. } => Fault::Resume { target },
        Fault::Restart { .. } => Fault::Restart { target },
        Fault::ClockReset { .. } => Fault::ClockReset { target },
        other => other.clone(),
    }
}

/// The planned faults of a run (those with a `planned_at`; the final heal is not planned), each
/// at its recorded offset. A run records an ending fault pinned to the nodes its start hit when
/// that start was aimed at primaries (the primary may have moved since); the replay aims it at
/// primaries again, so that it is pinned to whichever nodes the replay's start hits.
pub fn recorded_plan(lines: &[FaultLine]) -> Plan {
    let mut steps = Vec::new();
    let mut last_start: Option<&FaultLine> = None;
    for line in lines {
        let Some(at) = line.planned_at else { continue };
        let fault = &line.record.fault;
        let fault = if starts_fault(fault) {
            last_start = Some(line);
            fault.clone()
        } else {
            match last_start {
                Some(s)
                    if s.record.fault.target() == Some(&Target::Primaries)
                        && fault.target() == Some(&Target::Nodes(s.record.nodes.clone())) =>
                {
                    aimed_at(fault, Target::Primaries)
                }
                _ => fault.clone(),
            }
        };
        steps.push(Planned { at, fault });
    }
    Plan { steps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faults::{FaultRecord, NodeId, Outcome};

    fn line(planned_at: Option<u64>, fault: Fault, nodes: Vec<usize>) -> FaultLine {
        FaultLine {
            planned_at,
            start: planned_at.unwrap_or(0) + 1,
            end: planned_at.unwrap_or(0) + 2,
            record: FaultRecord {
                fault,
                nodes: nodes.into_iter().map(NodeId).collect(),
                grudge: None,
                outcome: Outcome::Installed,
                effects: vec![],
            },
        }
    }

    fn nodes(ids: &[usize]) -> Target {
        Target::Nodes(ids.iter().copied().map(NodeId).collect())
    }

    #[test]
    fn the_planned_faults_come_back_at_their_planned_offsets_without_the_final_heal() {
        let pause = Fault::Pause {
            target: nodes(&[1]),
        };
        let resume = Fault::Resume {
            target: nodes(&[1]),
        };
        let plan = recorded_plan(&[
            line(Some(10), pause.clone(), vec![1]),
            line(Some(20), resume.clone(), vec![1]),
            line(None, Fault::Heal, vec![]),
        ]);
        let at: Vec<(u64, Fault)> = plan.steps.into_iter().map(|p| (p.at, p.fault)).collect();
        assert_eq!(at, vec![(10, pause), (20, resume)]);
    }

    #[test]
    fn an_end_pinned_to_the_primary_its_start_hit_is_aimed_at_primaries_again() {
        let plan = recorded_plan(&[
            line(
                Some(10),
                Fault::Kill {
                    target: Target::Primaries,
                },
                vec![2],
            ),
            line(
                Some(20),
                Fault::Restart {
                    target: nodes(&[2]),
                },
                vec![2],
            ),
        ]);
        assert_eq!(
            plan.steps[1].fault,
            Fault::Restart {
                target: Target::Primaries
            }
        );
    }

    #[test]
    fn an_end_aimed_at_named_nodes_stays_aimed_at_them() {
        let plan = recorded_plan(&[
            line(
                Some(10),
                Fault::Pause {
                    target: nodes(&[2]),
                },
                vec![2],
            ),
            line(
                Some(20),
                Fault::Resume {
                    target: nodes(&[2]),
                },
                vec![2],
            ),
        ]);
        assert_eq!(
            plan.steps[1].fault,
            Fault::Resume {
                target: nodes(&[2])
            }
        );
    }
}
