//! Fault windows: for each fault in force, the share of calls invoked during it that completed ok,
//! and after it ended, how long each node took to serve its first ok call again.

use crate::FaultBand;
use histories::{Call, Outcome};
use serde::Serialize;
use std::collections::BTreeSet;

/// One fault's window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultWindow {
    /// The fault, in words (`partition n0 | n1,n2`).
    pub fault: String,
    /// When it began (ns).
    pub start: u64,
    /// When it ended (ns); `None` when it lasted to the end.
    pub end: Option<u64>,
    /// Calls invoked during the window.
    pub invoked: usize,
    /// Of those, calls that completed ok.
    pub ok: usize,
    /// For each node that served calls, the time from the end of the window to the completion of
    /// the first ok call it served that was invoked after the end.
    pub recovery: Vec<Recovery>,
}

impl FaultWindow {
    /// The share of calls invoked during the window that completed ok; `None` when none was
    /// invoked.
    pub fn availability(&self) -> Option<f64> {
        (self.invoked > 0).then(|| self.ok as f64 / self.invoked as f64)
    }
}

/// How soon one node served an ok call after a fault ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    /// The node, as calls name it.
    pub node: String,
    /// Nanoseconds from the end of the fault to that call's completion; `None` when the node
    /// served no ok call after it.
    pub first_ok_ns: Option<u64>,
}

/// The index of the first call invoked at or after `t` (calls are in invocation order).
pub(crate) fn first_invoked_at(calls: &[Call], t: u64) -> usize {
    calls.partition_point(|c| c.invoke_time < t)
}

/// The window of every band in force, in band order. `until` is the end of the history (ns).
pub fn fault_windows(calls: &[Call], bands: &[FaultBand], until: u64) -> Vec<FaultWindow> {
    let nodes: BTreeSet<&str> = calls.iter().filter_map(|c| c.node.as_deref()).collect();
    bands
        .iter()
        .filter(|b| b.in_force())
        .map(|b| {
            let end = b.end_or(until);
            let (from, to) = (
                first_invoked_at(calls, b.start),
                first_invoked_at(calls, end),
            );
            let during = &calls[from..to];
            let recovery = match b.end {
                Some(end) => recovery(&calls[to..], &nodes, end),
                None => Vec::new(),
            };
            FaultWindow {
                fault: b.to_string(),
                start: b.start,
                end: b.end,
                invoked: during.len(),
                ok: during.iter().filter(|c| c.outcome == Outcome::Ok).count(),
                recovery,
            }
        })
        .collect()
}

/// For each node, the first ok call among `after` (invoked after `end`) that it served.
fn recovery(after: &[Call], nodes: &BTreeSet<&str>, end: u64) -> Vec<Recovery> {
    let mut first: Vec<Option<u64>> = vec![None; nodes.len()];
    let mut missing = nodes.len();
    let index: Vec<&str> = nodes.iter().copied().collect();
    for c in after {
        if missing == 0 {
            break;
        }
        let (Outcome::Ok, Some(node), Some(done)) = (c.outcome, c.node.as_deref(), c.complete_time)
        else {
            continue;
        };
        if let Ok(i) = index.binary_search(&node) {
            if first[i].is_none() {
                first[i] = Some(done.saturating_sub(end));
                missing -= 1;
            }
        }
    }
    index
        .iter()
        .zip(first)
        .map(|(node, first_ok_ns)| Recovery {
            node: node.to_string(),
            first_ok_ns,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fault_bands, AppliedFault};
    use faults::{Fault, FaultRecord, NodeId, Target};
    use histories::{History, Op, OpType, Process};
    use serde_json::json;

    fn call(ops: &mut Vec<Op>, p: u64, at: u64, done: u64, kind: OpType, node: &str) {
        let i = ops.len() as u64;
        let mut inv = Op::new(
            i,
            at,
            Process::Client(p),
            OpType::Invoke,
            "read",
            json!(null),
        );
        inv.node = Some(node.into());
        let mut end = Op::new(i + 1, done, Process::Client(p), kind, "read", json!(1));
        end.node = Some(node.into());
        ops.push(inv);
        ops.push(end);
    }

    fn pause_of_n1(start: u64, end: u64) -> Vec<FaultBand> {
        let rec = |fault| FaultRecord {
            fault,
            nodes: vec![NodeId(1)],
            grudge: None,
            outcome: faults::Outcome::Installed,
            effects: vec![],
        };
        fault_bands(&[
            AppliedFault {
                start,
                end: start,
                record: rec(Fault::Pause {
                    target: Target::One,
                }),
            },
            AppliedFault {
                start: end,
                end,
                record: rec(Fault::Resume {
                    target: Target::One,
                }),
            },
        ])
    }

    #[test]
    fn a_window_counts_its_calls_and_each_nodes_first_ok_after_it() {
        let mut ops = Vec::new();
        call(&mut ops, 0, 0, 5, OpType::Ok, "n0");
        call(&mut ops, 0, 10, 15, OpType::Ok, "n0");
        call(&mut ops, 1, 11, 40, OpType::Fail, "n1");
        call(&mut ops, 0, 31, 33, OpType::Ok, "n0");
        call(&mut ops, 1, 45, 52, OpType::Ok, "n1");
        ops.sort_by_key(|o| o.time);
        for (i, o) in ops.iter_mut().enumerate() {
            o.index = i as u64;
        }
        let calls = History::from_ops(ops).calls().unwrap();
        let w = fault_windows(&calls, &pause_of_n1(10, 30), 60);
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].invoked, w[0].ok), (2, 1));
        assert_eq!(w[0].availability(), Some(0.5));
        assert_eq!(
            w[0].recovery,
            vec![
                Recovery {
                    node: "n0".into(),
                    first_ok_ns: Some(3)
                },
                Recovery {
                    node: "n1".into(),
                    first_ok_ns: Some(22)
                }
            ]
        );
    }
}
