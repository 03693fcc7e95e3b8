//! Strongly connected components of the dependency graph restricted to some edge kinds: Tarjan's
//! algorithm, iterative (a history of a million transactions chains them a million deep, far
//! beyond what a recursive search's stack allows).

use super::graph::{DepGraph, EdgeId};

/// Marks nodes in no non-trivial component.
pub(crate) const NONE: u32 = u32::MAX;

/// Tarjan's bookkeeping.
struct Tarjan<'g> {
    g: &'g DepGraph,
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    next: u32,
    /// The explicit call stack: a node, its next out-edge to walk and the end of its out-edges.
    calls: Vec<(u32, EdgeId, EdgeId)>,
}

impl Tarjan<'_> {
    fn enter(&mut self, v: u32) {
        self.index[v as usize] = self.next;
        self.low[v as usize] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v as usize] = true;
        let (next, end) = self.g.edge_range(v);
        self.calls.push((v, next, end));
    }
}

/// Per node, the id of its strongly connected component among those of two or more nodes
/// ([`NONE`] otherwise), over the edges whose kind is in `mask`; and how many such components.
pub(crate) fn components(g: &DepGraph, mask: u8) -> (Vec<u32>, u32) {
    let n = g.node_count();
    let mut t = Tarjan {
        g,
        index: vec![NONE; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        calls: Vec::new(),
    };
    let mut comp = vec![NONE; n];
    let mut comps = 0u32;
    for root in 0..n as u32 {
        if t.index[root as usize] != NONE {
            continue;
        }
        t.enter(root);
        while let Some(top) = t.calls.len().checked_sub(1) {
            let (v, next, end) = t.calls[top];
            let v = v as usize;
            match (next < end).then_some(next) {
                Some(e) => {
                    t.calls[top].1 += 1;
                    let u = g.target(e) as usize;
                    if g.kind(e).bit() & mask == 0 {
                        continue;
                    }
                    if t.index[u] == NONE {
                        t.enter(u as u32);
                    } else if t.on_stack[u] {
                        t.low[v] = t.low[v].min(t.index[u]);
                    }
                }
                None => {
                    t.calls.pop();
                    if let Some(&(p, _, _)) = t.calls.last() {
                        t.low[p as usize] = t.low[p as usize].min(t.low[v]);
                    }
                    if t.low[v] == t.index[v] {
                        let mut members = 0;
                        while let Some(w) = t.stack.pop() {
                            t.on_stack[w as usize] = false;
                            comp[w as usize] = comps;
                            members += 1;
                            if w as usize == v {
                                break;
                            }
                        }
                        if members > 1 {
                            comps += 1;
                        } else {
                            comp[v] = NONE;
                        }
                    }
                }
            }
        }
    }
    (comp, comps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::graph::EdgeKind;

    fn build(n: usize, edges: &[(u32, u32, EdgeKind)]) -> DepGraph {
        DepGraph::build(n, edges.to_vec())
    }

    #[test]
    fn finds_cycles_of_the_masked_kinds_only() {
        // 0 -ww-> 1 -ww-> 2 -rw-> 0, and 3 -ww-> 4 -ww-> 3.
        let g = build(
            5,
            &[
                (0, 1, EdgeKind::Ww),
                (1, 2, EdgeKind::Ww),
                (2, 0, EdgeKind::Rw),
                (3, 4, EdgeKind::Ww),
                (4, 3, EdgeKind::Ww),
            ],
        );
        let (comp, n) = components(&g, EdgeKind::Ww.bit() | EdgeKind::Rw.bit());
        assert_eq!(n, 2);
        assert!(comp[0] == comp[1] && comp[1] == comp[2] && comp[0] != NONE);
        assert!(comp[3] == comp[4] && comp[3] != comp[0]);
        let (comp, n) = components(&g, EdgeKind::Ww.bit());
        assert_eq!(n, 1);
        assert_eq!(comp[0], NONE);
        assert_ne!(comp[3], NONE);
    }

    #[test]
    fn a_chain_a_million_long_does_not_overflow_the_stack() {
        let n = 1_000_000u32;
        let mut edges: Vec<_> = (0..n - 1).map(|i| (i, i + 1, EdgeKind::Realtime)).collect();
        edges.push((n - 1, 0, EdgeKind::Rw));
        let g = build(n as usize, &edges);
        let (comp, count) = components(&g, EdgeKind::Realtime.bit() | EdgeKind::Rw.bit());
        assert_eq!(count, 1);
        assert!(comp.iter().all(|&c| c == 0));
    }
}
