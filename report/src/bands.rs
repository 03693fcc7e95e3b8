//! Fault bands: the spans of time each fault was in force, paired from the faults as applied
//! (a pause with the resume of its nodes, a partition with the heal or the next partition, ...).

use faults::{Fault, FaultRecord, Grudge, NodeId, Outcome};
use histories::{History, Process};
use std::collections::BTreeSet;
use std::fmt;

/// One fault as applied: a line of the run store's faults.jsonl.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedFault {
    /// When the mechanism was called (ns since the start of the history).
    pub start: u64,
    /// When it returned (ns).
    pub end: u64,
    /// The fault, what it resolved to, and its outcome.
    pub record: FaultRecord,
}

impl AppliedFault {
    /// The faults a rift history records as nemesis ops: each op's value is the fault, its other
    /// keys the record's outcome, reason, nodes, grudge and effects, and `start`; the op's time is
    /// when the mechanism returned. Nemesis ops of other tools (Jepsen's `:start` / `:stop`) do
    /// not read as faults and are left out.
    pub fn from_history(history: &History) -> Vec<AppliedFault> {
        history
            .ops
            .iter()
            .filter(|o| o.process == Process::Nemesis)
            .filter_map(|o| {
                let mut record = o.extra.clone();
                let start = record.remove("start").and_then(|s| s.as_u64());
                record.insert("fault".into(), o.value.clone());
                let record: FaultRecord =
                    serde_json::from_value(serde_json::Value::Object(record)).ok()?;
                Some(AppliedFault {
                    start: start.unwrap_or(o.time).min(o.time),
                    end: o.time,
                    record,
                })
            })
            .collect()
    }
}

/// The span of time a fault was in force, or the moment a fault was skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultBand {
    /// The fault that began the band, with its targets, grudge and outcome.
    pub record: FaultRecord,
    /// When its mechanism was called (ns).
    pub start: u64,
    /// When the fault that undid it returned (ns); `None` while it was still in force at the end
    /// of the history. A skipped fault, and an undoing fault that was not installed, end where
    /// they start (their mechanism's return).
    pub end: Option<u64>,
}

impl FaultBand {
    /// Whether the fault was (or may have been) in force: installed or indeterminate, not skipped.
    pub fn in_force(&self) -> bool {
        !matches!(self.record.outcome, Outcome::Skipped { .. })
    }

    /// The band's end, or `until` when it lasted to the end of the history.
    pub fn end_or(&self, until: u64) -> u64 {
        self.end.unwrap_or(until).max(self.start)
    }

    /// Whether `t` (ns) falls within the band.
    pub fn covers(&self, t: u64, until: u64) -> bool {
        t >= self.start && t < self.end_or(until)
    }

    /// The fault's name, as the history records it (`pause`, `partition`, `clock-bump`, ...).
    pub fn name(&self) -> &'static str {
        self.record.fault.name()
    }

    /// The outcome in a word: installed, skipped or indeterminate.
    pub fn outcome_word(&self) -> &'static str {
        match self.record.outcome {
            Outcome::Installed => "installed",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Indeterminate { .. } => "indeterminate",
        }
    }

    /// The reason the fault was skipped or is indeterminate.
    pub fn reason(&self) -> Option<&str> {
        match &self.record.outcome {
            Outcome::Installed => None,
            Outcome::Skipped { reason } | Outcome::Indeterminate { reason } => Some(reason),
        }
    }

    /// What the fault hit, in words: `n1, n2`, or a partition's sides `n0 | n1,n2`.
    pub fn targets(&self) -> String {
        if let Some(g) = &self.record.grudge {
            return describe_grudge(g);
        }
        nodes_text(&self.record.nodes)
    }
}

impl fmt::Display for FaultBand {
    /// "partition n0 | n1,n2", "pause n1 (skipped: cannot pause a node that is killed)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        let targets = self.targets();
        if !targets.is_empty() {
            write!(f, " {targets}")?;
        }
        match self.reason() {
            Some(reason) => write!(f, " ({}: {reason})", self.outcome_word()),
            None => Ok(()),
        }
    }
}

fn nodes_text(nodes: &[NodeId]) -> String {
    nodes
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// A grudge in words: its sides `n0 | n1,n2` when every node hears exactly its own side,
/// otherwise who drops whom: `n1 drops n0; n2 drops n0`.
pub fn describe_grudge(g: &Grudge) -> String {
    let all: BTreeSet<NodeId> =
        g.0.iter()
            .flat_map(|(k, v)| std::iter::once(*k).chain(v.iter().copied()))
            .collect();
    let heard = |x: NodeId| -> BTreeSet<NodeId> {
        all.iter().copied().filter(|&y| !g.drops(x, y)).collect()
    };
    let mut sides: Vec<BTreeSet<NodeId>> = Vec::new();
    for &x in &all {
        let h = heard(x);
        if !sides.contains(&h) {
            sides.push(h);
        }
    }
    let is_partition = sides.len() > 1
        && sides
            .iter()
            .all(|side| side.iter().all(|&x| heard(x) == *side))
        && sides.iter().map(|s| s.len()).sum::<usize>() == all.len();
    if is_partition {
        return sides
            .iter()
            .map(|s| nodes_text(&s.iter().copied().collect::<Vec<_>>()))
            .collect::<Vec<_>>()
            .join(" | ");
    }
    g.0.iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            let v: Vec<NodeId> = v.iter().copied().collect();
            format!("{k} drops {}", nodes_text(&v))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The nodes a record's fault reached (installed or indeterminate there): its per-node effects
/// when it has them, else every node it resolved to.
fn reached(record: &FaultRecord) -> BTreeSet<NodeId> {
    if record.effects.is_empty() {
        return record.nodes.iter().copied().collect();
    }
    record
        .effects
        .iter()
        .filter(|e| !matches!(e.outcome, Outcome::Skipped { .. }))
        .map(|e| e.node)
        .collect()
}

/// What an undoing fault ends.
#[derive(Clone, Copy, PartialEq)]
enum Ends {
    Paused,
    Killed,
    Partitioned,
    Lossy,
    Clock,
}

/// A band still open: which of its nodes are still under the fault.
struct Open {
    band: usize,
    ends: Ends,
    nodes: BTreeSet<NodeId>,
}

/// The bands of faults applied in this order (the order of faults.jsonl).
///
/// A pause lasts until every node it paused is resumed, a kill until its nodes restart, a
/// partition until the heal or the next partition (which replaces it), packet loss until the heal,
/// a clock bump until its nodes' clocks are reset, a clock strobe for its duration. Undoing faults
/// (resume, restart, heal, clock reset) that were installed make no band of their own; one that
/// was skipped or indeterminate is kept as a moment, so the page can show it. A fault still in
/// force at the end has no end.
pub fn fault_bands(applied: &[AppliedFault]) -> Vec<FaultBand> {
    let mut bands: Vec<FaultBand> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for a in applied {
        let record = &a.record;
        let installed_or_maybe = !matches!(record.outcome, Outcome::Skipped { .. });
        // What it ends, and whether it ends those bands on every node.
        let undoes: &[(Ends, bool)] = match &record.fault {
            Fault::Resume { .. } => &[(Ends::Paused, false)],
            Fault::Restart { .. } => &[(Ends::Killed, false)],
            Fault::Heal => &[(Ends::Partitioned, true), (Ends::Lossy, true)],
            Fault::ClockReset { .. } => &[(Ends::Clock, false)],
            Fault::Partition { .. } => &[(Ends::Partitioned, true)],
            _ => &[],
        };
        if installed_or_maybe {
            let nodes = reached(record);
            for &(ends, whole) in undoes {
                close(&mut open, &mut bands, ends, whole, &nodes, a.end);
            }
        }
        let starts = match &record.fault {
            Fault::Pause { .. } => Some(Ends::Paused),
            Fault::Kill { .. } => Some(Ends::Killed),
            Fault::Partition { .. } => Some(Ends::Partitioned),
            Fault::PacketLoss { .. } => Some(Ends::Lossy),
            Fault::ClockBump { .. } | Fault::ClockStrobe { .. } => Some(Ends::Clock),
            _ => None,
        };
        let moment = FaultBand {
            record: record.clone(),
            start: a.start,
            end: Some(a.end),
        };
        match starts {
            Some(ends) if installed_or_maybe => {
                let end = match &record.fault {
                    Fault::ClockStrobe { duration_ms, .. } => {
                        Some(a.end + duration_ms.saturating_mul(1_000_000))
                    }
                    _ => None,
                };
                if end.is_none() {
                    open.push(Open {
                        band: bands.len(),
                        ends,
                        nodes: reached(record),
                    });
                }
                bands.push(FaultBand { end, ..moment });
            }
            // A fault that started nothing, or an undoing fault that was not installed: a moment.
            Some(_) => bands.push(moment),
            None if !record.outcome.is_installed() => bands.push(moment),
            None => {}
        }
    }
    bands
}

/// Ends the open bands of kind `ends` on `nodes` (all of them when `whole`) at `at`.
fn close(
    open: &mut Vec<Open>,
    bands: &mut [FaultBand],
    ends: Ends,
    whole: bool,
    nodes: &BTreeSet<NodeId>,
    at: u64,
) {
    open.retain_mut(|o| {
        if o.ends != ends {
            return true;
        }
        if whole {
            o.nodes.clear();
        } else {
            o.nodes.retain(|n| !nodes.contains(n));
        }
        if o.nodes.is_empty() {
            bands[o.band].end = Some(at);
            false
        } else {
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use faults::{Effect, Target};

    fn applied(t: u64, fault: Fault, nodes: &[usize], outcome: Outcome) -> AppliedFault {
        AppliedFault {
            start: t,
            end: t + 1,
            record: FaultRecord::uniform(
                fault,
                nodes.iter().map(|&n| NodeId(n)).collect(),
                outcome,
            ),
        }
    }

    fn pause() -> Fault {
        Fault::Pause {
            target: Target::One,
        }
    }

    fn resume() -> Fault {
        Fault::Resume {
            target: Target::All,
        }
    }

    #[test]
    fn a_pause_lasts_until_the_resume_of_its_node() {
        let bands = fault_bands(&[
            applied(10, pause(), &[1], Outcome::Installed),
            applied(50, resume(), &[1], Outcome::Installed),
        ]);
        assert_eq!(bands.len(), 1);
        assert_eq!((bands[0].start, bands[0].end), (10, Some(51)));
        assert_eq!(bands[0].to_string(), "pause n1");
    }

    #[test]
    fn a_pause_of_two_nodes_lasts_until_both_are_resumed() {
        let bands = fault_bands(&[
            applied(10, pause(), &[1, 2], Outcome::Installed),
            applied(20, resume(), &[1], Outcome::Installed),
            applied(30, resume(), &[2], Outcome::Installed),
        ]);
        assert_eq!(bands[0].end, Some(31));
    }

    #[test]
    fn a_partition_ends_at_the_heal_or_the_next_partition() {
        let g = Grudge::between(&[NodeId(0)], &[NodeId(1), NodeId(2)]);
        let mut p = applied(
            10,
            Fault::Partition {
                shape: faults::Shape::IsolateOne,
            },
            &[],
            Outcome::Installed,
        );
        p.record.grudge = Some(g);
        let mut q = p.clone();
        q.start = 40;
        q.end = 41;
        let bands = fault_bands(&[p, q, applied(90, Fault::Heal, &[], Outcome::Installed)]);
        assert_eq!(bands.len(), 2);
        assert_eq!(bands[0].end, Some(41));
        assert_eq!(bands[1].end, Some(91));
        assert_eq!(bands[0].targets(), "n0 | n1,n2");
    }

    #[test]
    fn a_fault_never_undone_lasts_to_the_end_and_a_skipped_one_is_a_moment() {
        let bands = fault_bands(&[
            applied(
                5,
                Fault::Kill {
                    target: Target::One,
                },
                &[2],
                Outcome::Installed,
            ),
            applied(
                8,
                pause(),
                &[2],
                Outcome::skipped("cannot pause a node that is killed"),
            ),
        ]);
        assert_eq!(bands[0].end, None);
        assert_eq!(bands[1].end, Some(9));
        assert!(!bands[1].in_force());
        assert_eq!(
            bands[1].to_string(),
            "pause n2 (skipped: cannot pause a node that is killed)"
        );
    }

    #[test]
    fn a_skipped_heal_is_kept_and_ends_nothing() {
        let mut p = applied(
            10,
            Fault::Partition {
                shape: faults::Shape::Halves,
            },
            &[],
            Outcome::Installed,
        );
        p.record.grudge = Some(Grudge::between(&[NodeId(0)], &[NodeId(1)]));
        let bands = fault_bands(&[
            p,
            applied(20, Fault::Heal, &[], Outcome::skipped("nothing to heal")),
        ]);
        assert_eq!(bands.len(), 2);
        assert_eq!(bands[0].end, None);
        assert_eq!(bands[1].outcome_word(), "skipped");
    }

    #[test]
    fn a_resume_skipped_on_a_node_does_not_end_its_pause() {
        let mut r = applied(20, resume(), &[1, 2], Outcome::Installed);
        r.record.effects = vec![
            Effect {
                node: NodeId(1),
                outcome: Outcome::skipped("cannot resume a node that is running"),
            },
            Effect {
                node: NodeId(2),
                outcome: Outcome::Installed,
            },
        ];
        let bands = fault_bands(&[applied(10, pause(), &[1], Outcome::Installed), r]);
        assert_eq!(bands[0].end, None);
    }

    #[test]
    fn a_rift_history_gives_back_its_faults_and_skips_other_nemesis_ops() {
        let mut pause = histories::Op::new(
            0,
            20,
            Process::Nemesis,
            histories::OpType::Info,
            "pause",
            serde_json::json!({"fault": "pause", "target": "one"}),
        );
        pause.extra = serde_json::from_value(serde_json::json!({
            "outcome": "installed", "nodes": [1], "start": 18
        }))
        .unwrap();
        let jepsen = histories::Op::new(
            1,
            30,
            Process::Nemesis,
            histories::OpType::Info,
            "start",
            serde_json::json!("partition"),
        );
        let applied = AppliedFault::from_history(&History::from_ops(vec![pause, jepsen]));
        assert_eq!(applied.len(), 1);
        assert_eq!((applied[0].start, applied[0].end), (18, 20));
        assert_eq!(applied[0].record.nodes, vec![NodeId(1)]);
        assert_eq!(fault_bands(&applied)[0].to_string(), "pause n1");
    }

    #[test]
    fn a_one_way_grudge_is_described_by_who_drops_whom() {
        let mut g = Grudge::default();
        g.drop_from(NodeId(1), NodeId(0));
        g.drop_from(NodeId(2), NodeId(0));
        assert_eq!(describe_grudge(&g), "n1 drops n0; n2 drops n0");
    }
}
