//! The dependency graph over transactions: data edges (ww, wr, rw) come from the workload's
//! version orders; process and real-time edges from the history's order. Stored compressed
//! (each transaction's out-edges side by side: 9 bytes an edge, 8 a transaction), as tens of
//! millions of transactions have a hundred million edges.

use super::mop::Txn;
use histories::{Outcome, Process};
use rustc_hash::{FxHashMap, FxHashSet};
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

/// An edge to be: from, to, kind.
pub(crate) type RawEdge = (u32, u32, EdgeKind);

/// An edge of a [`DepGraph`]: its place in the graph's arrays.
pub(crate) type EdgeId = usize;

/// The dependency graph: node `i` is transaction `i`; each edge carries one kind (two
/// transactions related in several ways have several edges). A node's out-edges come last
/// added first, and each edge remembers its rank among all edges added, so that searches visit
/// them in a fixed order.
pub(crate) struct DepGraph {
    /// Node `a`'s out-edges are `first[a]..first[a + 1]`.
    first: Vec<usize>,
    targets: Vec<u32>,
    kinds: Vec<EdgeKind>,
    /// Each edge's rank in the order the edges were added.
    rank: Vec<u32>,
}

impl DepGraph {
    /// The graph of `n` transactions with these edges (consumed, to spare memory).
    pub(crate) fn build(n: usize, edges: Vec<RawEdge>) -> DepGraph {
        let m = edges.len();
        // Counting sort by source: `first[a]` counts down from the end of `a`'s edges to their
        // start, placing each edge before the ones added earlier.
        let mut first = vec![0usize; n + 1];
        for &(a, _, _) in &edges {
            first[a as usize] += 1;
        }
        let mut end = 0;
        for f in first.iter_mut() {
            end += *f;
            *f = end;
        }
        let mut targets = vec![0u32; m];
        let mut kinds = vec![EdgeKind::Ww; m];
        let mut rank = vec![0u32; m];
        for (i, (a, b, k)) in edges.into_iter().enumerate() {
            let f = &mut first[a as usize];
            *f -= 1;
            targets[*f] = b;
            kinds[*f] = k;
            rank[*f] = i as u32;
        }
        DepGraph {
            first,
            targets,
            kinds,
            rank,
        }
    }

    pub(crate) fn node_count(&self) -> usize {
        self.first.len() - 1
    }

    /// The out-edges of `a`: (edge, target, kind).
    pub(crate) fn edges(&self, a: u32) -> impl Iterator<Item = (EdgeId, u32, EdgeKind)> + '_ {
        let range = self.first[a as usize]..self.first[a as usize + 1];
        range.map(|e| (e, self.targets[e], self.kinds[e]))
    }

    /// The first out-edge of `a` and the end of its out-edges, for walking them by hand.
    pub(crate) fn edge_range(&self, a: u32) -> (EdgeId, EdgeId) {
        (self.first[a as usize], self.first[a as usize + 1])
    }

    /// The source and target of edge `e`.
    pub(crate) fn endpoints(&self, e: EdgeId) -> (u32, u32) {
        let a = self.first.partition_point(|&f| f <= e) - 1;
        (a as u32, self.targets[e])
    }

    pub(crate) fn target(&self, e: EdgeId) -> u32 {
        self.targets[e]
    }

    pub(crate) fn kind(&self, e: EdgeId) -> EdgeKind {
        self.kinds[e]
    }

    /// Where `e` was among the edges added.
    pub(crate) fn rank(&self, e: EdgeId) -> u32 {
        self.rank[e]
    }
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

/// True when [`process_edges`] would give at least one edge.
pub(crate) fn any_process_edge(txns: &[Txn]) -> bool {
    let mut seen: FxHashSet<Process> = FxHashSet::default();
    txns.iter()
        .filter(|t| t.outcome != Outcome::Fail)
        .any(|t| !seen.insert(t.process))
}

/// True when [`realtime_edges`] would give at least one edge: some committed transaction
/// completed before some transaction that did not fail was invoked.
pub(crate) fn any_realtime_edge(txns: &[Txn]) -> bool {
    let first_done = txns
        .iter()
        .filter(|t| t.outcome == Outcome::Ok)
        .filter_map(|t| t.complete_index)
        .min();
    let last_invoked = txns
        .iter()
        .filter(|t| t.outcome != Outcome::Fail)
        .map(|t| t.invoke_index)
        .max();
    matches!((first_done, last_invoked), (Some(d), Some(i)) if d < i)
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
