//! The dependency graph over transactions (petgraph): data edges (ww, wr, rw) come from the
//! workload's version orders; process and real-time edges from the history's order.

use super::mop::Txn;
use histories::{Outcome, Process};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::fmt;

/// Why one transaction precedes another in the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// Write-write: the second overwrote (appended after) a version the first wrote.
    Ww,
    /// Write-read: the second read a version the first wrote.
    Wr,
    /// Read-write (anti-dependency): the first read a version the second overwrote.
    Rw,
    /// Process order: the same process ran the first, then the second.
    Process,
    /// Real-time order: the first completed before the second was invoked.
    Realtime,
}

impl EdgeKind {
    /// This kind as one bit of a mask.
    pub(crate) const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EdgeKind::Ww => "ww",
            EdgeKind::Wr => "wr",
            EdgeKind::Rw => "rw",
            EdgeKind::Process => "process",
            EdgeKind::Realtime => "realtime",
        })
    }
}

/// The dependency graph: node `i` is transaction `i`; each edge carries one kind (two
/// transactions related in several ways have several edges).
pub(crate) type DepGraph = DiGraph<(), EdgeKind, u32>;

/// An edge to be: from, to, kind.
pub(crate) type RawEdge = (u32, u32, EdgeKind);

/// The graph of `n` transactions with these edges.
pub(crate) fn build(n: usize, edges: &[RawEdge]) -> DepGraph {
    let mut g = DepGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        g.add_node(());
    }
    for &(a, b, k) in edges {
        g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), k);
    }
    g
}

/// Edges from each transaction of a process to its next one (failed transactions, which took no
/// effect, are skipped).
pub(crate) fn process_edges(txns: &[Txn], out: &mut Vec<RawEdge>) {
    let mut last: FxHashMap<Process, u32> = FxHashMap::default();
    for (i, t) in txns.iter().enumerate() {
        if t.outcome == Outcome::Fail {
            continue;
        }
        if let Some(prev) = last.insert(t.process, i as u32) {
            out.push((prev, i as u32, EdgeKind::Process));
        }
    }
}

/// Real-time edges: T1 -> T2 when T1 completed (ok) before T2 was invoked, transitively reduced
/// as Elle does: each invocation links from the frontier of completed transactions not already
/// known to precede another completed one, so the edge count stays near n x concurrency.
/// Indeterminate transactions never complete, so they only receive edges.
pub(crate) fn realtime_edges(txns: &[Txn], out: &mut Vec<RawEdge>) {
    // (op index, txn, is completion)
    let mut events: Vec<(u64, u32, bool)> = Vec::with_capacity(txns.len() * 2);
    for (i, t) in txns.iter().enumerate() {
        if t.outcome == Outcome::Fail {
            continue;
        }
        events.push((t.invoke_index, i as u32, false));
        if let (Outcome::Ok, Some(c)) = (t.outcome, t.complete_index) {
            events.push((c, i as u32, true));
        }
    }
    events.sort_unstable();
    let mut frontier: Vec<u32> = Vec::new();
    let mut preds: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for (_, t, done) in events {
        if done {
            let before = preds.remove(&t).unwrap_or_default();
            frontier.retain(|f| !before.contains(f));
            frontier.push(t);
        } else {
            out.extend(frontier.iter().map(|&f| (f, t, EdgeKind::Realtime)));
            if txns[t as usize].outcome == Outcome::Ok {
                preds.insert(t, frontier.clone());
            }
        }
    }
}
