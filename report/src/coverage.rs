//! Coverage: what a verdict rests on. Faults that were skipped or indeterminate, operations that
//! never completed ok while a fault was in force, and plain warnings when a valid verdict rests on
//! little evidence. The same data goes to the page, the terminal and results.json.

use crate::windows::first_invoked_at;
use crate::FaultBand;
use checker::Verdict;
use histories::{Call, History, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Below this share of the history's span under faults, coverage warns that faults covered
/// little of the run.
pub const LITTLE_FAULT_SHARE: f64 = 0.25;

/// Below this many ok calls, a valid verdict rests on little evidence whatever the faults.
pub const FEW_OK_CALLS: usize = 10;

/// What the verdict rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The share of the history's span (first to last op) during which some fault was in force.
    pub share_under_faults: f64,
    /// Per operation (`f`), its calls and ok calls, overall and under each kind of fault.
    pub ops: Vec<OpCoverage>,
    /// The warnings, most important first.
    pub warnings: Vec<Warning>,
}

/// One operation's calls, overall and while faults were in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpCoverage {
    /// The operation's name.
    pub f: String,
    /// Its calls.
    pub calls: usize,
    /// Of those, ok.
    pub ok: usize,
    /// Ok calls invoked while a fault of each kind (`partition`, `pause`, ...) was in force.
    pub ok_under: BTreeMap<String, usize>,
}

/// Something a reader of the verdict should know about its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum Warning {
    /// A fault was not applied: it tested nothing.
    FaultSkipped {
        /// The fault, in words.
        fault: String,
        /// When (ns).
        at_ns: u64,
        /// Why it was skipped.
        reason: String,
    },
    /// rift cannot tell whether a fault took effect.
    FaultIndeterminate {
        /// The fault, in words.
        fault: String,
        /// When (ns).
        at_ns: u64,
        /// Why.
        reason: String,
    },
    /// No fault was in force at any time.
    NoFaultInForce,
    /// Faults were in force for only a small share of the history.
    FaultsCoveredLittle {
        /// The share of the span under faults.
        share: f64,
    },
    /// No call of this operation completed ok while a fault of this kind was in force.
    NeverOkUnderFault {
        /// The operation.
        f: String,
        /// The kind of fault (`partition`, `pause`, ...).
        fault: String,
    },
    /// The verdict is valid, but some operation never completed ok under some kind of fault, so
    /// the checkers saw nothing of its behaviour there.
    ValidOnLittleEvidence {
        /// The (operation, kind of fault) pairs with no ok call.
        missing: Vec<(String, String)>,
    },
    /// The verdict is valid, but very few calls completed ok.
    FewOkCalls {
        /// How many did.
        ok: usize,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::FaultSkipped { fault, at_ns, reason } => write!(
                f,
                "{fault} at {:.3} s was skipped ({reason}): it tested nothing",
                secs(*at_ns)
            ),
            Warning::FaultIndeterminate { fault, at_ns, reason } => write!(
                f,
                "{fault} at {:.3} s is indeterminate ({reason}): it may not have taken effect",
                secs(*at_ns)
            ),
            Warning::NoFaultInForce => f.write_str(
                "no fault was in force at any time: the verdict says nothing about behaviour under faults",
            ),
            Warning::FaultsCoveredLittle { share } => write!(
                f,
                "faults were in force for only {:.0}% of the run; a longer run or more faults would test more",
                share * 100.0
            ),
            Warning::NeverOkUnderFault { f: op, fault } => write!(
                f,
                "no {op} completed ok while a {fault} was in force"
            ),
            Warning::ValidOnLittleEvidence { missing } => {
                let pairs: Vec<String> = missing
                    .iter()
                    .map(|(op, fault)| format!("no {op} during any {fault}"))
                    .collect();
                write!(
                    f,
                    "the valid verdict rests on little evidence: {}",
                    pairs.join(", ")
                )
            }
            Warning::FewOkCalls { ok } => write!(
                f,
                "the valid verdict rests on little evidence: only {ok} calls completed ok"
            ),
        }
    }
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// The coverage of `history` under `faults`, for a run whose checkers said `verdict`.
///
/// A history whose calls cannot be paired has no coverage beyond its faults' outcomes.
pub fn coverage(history: &History, faults: &[FaultBand], verdict: &Verdict) -> Coverage {
    let calls = history.calls().unwrap_or_default();
    let (first, last) = span(history);
    let mut warnings = Vec::new();
    for b in faults {
        let fault = b.to_string_without_reason();
        match &b.record.outcome {
            faults::Outcome::Installed => {}
            faults::Outcome::Skipped { reason } => warnings.push(Warning::FaultSkipped {
                fault,
                at_ns: b.start,
                reason: reason.clone(),
            }),
            faults::Outcome::Indeterminate { reason } => {
                warnings.push(Warning::FaultIndeterminate {
                    fault,
                    at_ns: b.start,
                    reason: reason.clone(),
                })
            }
        }
    }
    let in_force: Vec<&FaultBand> = faults.iter().filter(|b| b.in_force()).collect();
    let share = share_under(&in_force, first, last);
    if in_force.is_empty() {
        warnings.push(Warning::NoFaultInForce);
    } else if share < LITTLE_FAULT_SHARE {
        warnings.push(Warning::FaultsCoveredLittle { share });
    }
    let ops = op_coverage(&calls, &in_force, last);
    let kinds: BTreeSet<&str> = in_force.iter().map(|b| b.name()).collect();
    let mut missing = Vec::new();
    for op in &ops {
        for &kind in &kinds {
            if op.ok_under.get(kind).copied().unwrap_or(0) == 0 {
                missing.push((op.f.clone(), kind.to_string()));
            }
        }
    }
    for (op, fault) in &missing {
        warnings.push(Warning::NeverOkUnderFault {
            f: op.clone(),
            fault: fault.clone(),
        });
    }
    if *verdict == Verdict::Valid {
        if !missing.is_empty() {
            warnings.push(Warning::ValidOnLittleEvidence { missing });
        }
        let ok = calls.iter().filter(|c| c.outcome == Outcome::Ok).count();
        if ok < FEW_OK_CALLS {
            warnings.push(Warning::FewOkCalls { ok });
        }
    }
    Coverage {
        share_under_faults: share,
        ops,
        warnings,
    }
}

impl FaultBand {
    /// The fault and its targets, without its outcome's reason.
    fn to_string_without_reason(&self) -> String {
        let targets = self.targets();
        if targets.is_empty() {
            self.name().to_string()
        } else {
            format!("{} {targets}", self.name())
        }
    }
}

/// The first and last op times.
fn span(history: &History) -> (u64, u64) {
    let first = history.ops.first().map_or(0, |o| o.time);
    let last = history.ops.iter().map(|o| o.time).max().unwrap_or(first);
    (first, last)
}

/// The share of `[first, last]` covered by the union of the bands.
fn share_under(bands: &[&FaultBand], first: u64, last: u64) -> f64 {
    if last <= first {
        return 0.0;
    }
    let mut spans: Vec<(u64, u64)> = bands
        .iter()
        .map(|b| (b.start.max(first), b.end_or(last).min(last)))
        .filter(|(a, b)| b > a)
        .collect();
    spans.sort_unstable();
    let mut covered = 0;
    let mut reach = first;
    for (a, b) in spans {
        let a = a.max(reach);
        if b > a {
            covered += b - a;
            reach = b;
        }
    }
    covered as f64 / (last - first) as f64
}

/// Each operation's calls and ok calls, overall and under each kind of fault.
fn op_coverage(calls: &[Call], bands: &[&FaultBand], until: u64) -> Vec<OpCoverage> {
    let mut by_f: BTreeMap<&str, OpCoverage> = BTreeMap::new();
    for c in calls {
        let e = by_f.entry(&c.f).or_insert_with(|| OpCoverage {
            f: c.f.clone(),
            calls: 0,
            ok: 0,
            ok_under: BTreeMap::new(),
        });
        e.calls += 1;
        e.ok += usize::from(c.outcome == Outcome::Ok);
    }
    for op in by_f.values_mut() {
        for b in bands {
            op.ok_under.entry(b.name().to_string()).or_insert(0);
        }
    }
    for b in bands {
        let from = first_invoked_at(calls, b.start);
        let to = first_invoked_at(calls, b.end_or(until));
        // A call invoked in two overlapping bands of one kind is counted once per band; the
        // counts say whether there is evidence, not how much.
        for c in &calls[from..to] {
            if c.outcome == Outcome::Ok {
                if let Some(op) = by_f.get_mut(c.f.as_str()) {
                    *op.ok_under.entry(b.name().to_string()).or_insert(0) += 1;
                }
            }
        }
    }
    by_f.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fault_bands, AppliedFault};
    use faults::{Fault, FaultRecord, Grudge, NodeId, Shape};
    use histories::{Op, OpType, Process};
    use serde_json::json;

    /// Writes ok from t=0 to t=100 every 10 ns; reads ok only before 40.
    fn history() -> History {
        let mut ops = Vec::new();
        for k in 0..10u64 {
            let (f, ok) = if k % 2 == 0 {
                ("write", true)
            } else {
                ("read", k * 10 < 40)
            };
            let i = ops.len() as u64;
            let t = k * 10;
            ops.push(Op::new(
                i,
                t,
                Process::Client(k),
                OpType::Invoke,
                f,
                json!(1),
            ));
            let kind = if ok { OpType::Ok } else { OpType::Fail };
            ops.push(Op::new(i + 1, t + 5, Process::Client(k), kind, f, json!(1)));
        }
        History::from_ops(ops)
    }

    fn partition(start: u64, heal: u64) -> Vec<FaultBand> {
        let p = FaultRecord {
            fault: Fault::Partition {
                shape: Shape::Halves,
            },
            nodes: vec![],
            grudge: Some(Grudge::between(&[NodeId(0)], &[NodeId(1)])),
            outcome: faults::Outcome::Installed,
            effects: vec![],
        };
        let h = FaultRecord {
            fault: Fault::Heal,
            grudge: None,
            ..p.clone()
        };
        fault_bands(&[
            AppliedFault {
                start,
                end: start,
                record: p,
            },
            AppliedFault {
                start: heal,
                end: heal,
                record: h,
            },
        ])
    }

    #[test]
    fn no_read_during_any_partition_makes_a_valid_verdict_rest_on_little_evidence() {
        let c = coverage(&history(), &partition(50, 95), &Verdict::Valid);
        assert!(c.warnings.contains(&Warning::NeverOkUnderFault {
            f: "read".into(),
            fault: "partition".into()
        }));
        let little = c
            .warnings
            .iter()
            .find(|w| matches!(w, Warning::ValidOnLittleEvidence { .. }))
            .expect("a little-evidence warning");
        assert_eq!(
            little.to_string(),
            "the valid verdict rests on little evidence: no read during any partition"
        );
        let write = c.ops.iter().find(|o| o.f == "write").unwrap();
        assert_eq!(write.ok_under["partition"], 2);
    }

    #[test]
    fn an_invalid_verdict_is_not_said_to_rest_on_little_evidence() {
        let c = coverage(&history(), &partition(50, 95), &Verdict::Invalid);
        assert!(!c
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::ValidOnLittleEvidence { .. })));
    }

    #[test]
    fn a_short_fault_in_a_long_run_is_said_to_cover_little() {
        let c = coverage(&history(), &partition(10, 20), &Verdict::Invalid);
        let share = c.share_under_faults;
        assert!((share - 10.0 / 95.0).abs() < 1e-9, "{share}");
        assert!(c.warnings.contains(&Warning::FaultsCoveredLittle { share }));
    }

    #[test]
    fn a_history_without_faults_says_no_fault_was_in_force() {
        let c = coverage(&history(), &[], &Verdict::Valid);
        assert_eq!(
            c.warnings,
            vec![Warning::NoFaultInForce, Warning::FewOkCalls { ok: 7 }]
        );
    }
}
