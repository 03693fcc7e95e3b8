//! The cycle search: strongly connected components (Tarjan, see the `scc` module) of the dependency graph restricted
//! to the edges each anomaly may use, then, in each component, a shortest cycle of that anomaly's
//! shape, found by a breadth-first search over (transaction, what the path has used so far).
//!
//! The shapes, searched in three rounds: data edges only (G0, G1c, G-single, G-nonadjacent,
//! G2-item), then data and process edges, requiring at least one process edge (the `-process`
//! variants), then data, process and real-time edges, requiring at least one real-time edge
//! (`-realtime`). Each search starts from an edge that the shape needs (ww for G0, wr for G1c, rw
//! for the others; the process or real-time edge in the later rounds) and looks for the shortest
//! way back; of the first few cycles found through different start edges, the shortest is kept.
//!
//! G-nonadjacent is a cycle with two or more rw edges of which no two are adjacent (going round
//! the cycle, the edge after an rw edge is never rw): snapshot isolation forbids it, as it does
//! G-single (its one-rw case), while a cycle with two rw edges side by side (write skew, G2-item)
//! is allowed. Its path state remembers whether the last edge was rw. A G-nonadjacent is only
//! looked for in components where no G-single was found, and a G2-item only where neither was: a
//! G2-item search's shortest cycle could have its rw edges apart, and would then be named for
//! less than it rules out. At most `cap` cycles of a kind are kept.

use super::anomaly::AnomalyKind;
use super::graph::{DepGraph, EdgeId, EdgeKind};
use super::scc::{self, NONE};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

const WW: u8 = EdgeKind::Ww.bit();
const WR: u8 = EdgeKind::Wr.bit();
const RW: u8 = EdgeKind::Rw.bit();
const PROCESS: u8 = EdgeKind::Process.bit();
const REALTIME: u8 = EdgeKind::Realtime.bit();
/// The work (path states taken off the queue) that searches through start edges which close no
/// cycle may spend per transaction of a component, for one shape, before that search gives up,
/// declaring the whole search incomplete (so the verdict cannot be Valid) and moving on. Counted
/// in work, not in starts: a start refuted in a step or two (an anti-dependency into a
/// transaction whose only way on is another one) costs next to nothing, so a component with
/// thousands of such starts is still searched to the end, and the absence of the shape proved.
const FRUITLESS_WORK_PER_TXN: usize = 1_000;

/// How many cycles through different start edges a component's search compares, keeping the
/// shortest.
const SHORTEST_OF: usize = 8;

/// A cycle's edges, each from a transaction to the next.
type Path = Vec<(u32, u32, EdgeKind)>;

/// A cycle found: its kind and its edges, each from a transaction to the next.
#[derive(Debug, Clone)]
pub(crate) struct FoundCycle {
    pub kind: AnomalyKind,
    pub edges: Vec<(u32, u32, EdgeKind)>,
}

/// The anomaly shapes, in search order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    G0,
    G1c,
    GSingle,
    GNonadjacent,
    G2Item,
}

/// A round of the search: which order edges it may use and which one it must use.
#[derive(Debug, Clone, Copy)]
struct Round {
    extra: u8,
    required: u8,
}

const ROUNDS: [Round; 3] = [
    Round {
        extra: 0,
        required: 0,
    },
    Round {
        extra: PROCESS,
        required: PROCESS,
    },
    Round {
        extra: PROCESS | REALTIME,
        required: REALTIME,
    },
];

fn kind(shape: Shape, round: usize) -> AnomalyKind {
    use AnomalyKind::*;
    match (shape, round) {
        (Shape::G0, 0) => G0,
        (Shape::G0, 1) => G0Process,
        (Shape::G0, _) => G0Realtime,
        (Shape::G1c, 0) => G1c,
        (Shape::G1c, 1) => G1cProcess,
        (Shape::G1c, _) => G1cRealtime,
        (Shape::GSingle, 0) => GSingle,
        (Shape::GSingle, 1) => GSingleProcess,
        (Shape::GSingle, _) => GSingleRealtime,
        (Shape::GNonadjacent, 0) => GNonadjacent,
        (Shape::GNonadjacent, 1) => GNonadjacentProcess,
        (Shape::GNonadjacent, _) => GNonadjacentRealtime,
        (Shape::G2Item, 0) => G2Item,
        (Shape::G2Item, 1) => G2ItemProcess,
        (Shape::G2Item, _) => G2ItemRealtime,
    }
}

impl Shape {
    fn mask(self, round: Round) -> u8 {
        round.extra
            | match self {
                Shape::G0 => WW,
                Shape::G1c => WW | WR,
                Shape::GSingle | Shape::GNonadjacent | Shape::G2Item => WW | WR | RW,
            }
    }

    fn start(self, round: Round) -> u8 {
        if round.required != 0 {
            return round.required;
        }
        match self {
            Shape::G0 => WW,
            Shape::G1c => WR,
            Shape::GSingle | Shape::GNonadjacent | Shape::G2Item => RW,
        }
    }
}

// Path state: bit 0 = used a wr edge, bit 1 = used the round's required edge, bits 2-3 = rw
// edges used (0, 1, or 2 meaning "two or more"), bit 4 = the last edge was rw (kept for
// G-nonadjacent only, so the other shapes' searches have no more states than they need).
const LAST_RW: u8 = 1 << 4;

fn advance(state: u8, k: EdgeKind, shape: Shape, round: Round) -> Option<u8> {
    if shape == Shape::GNonadjacent && k == EdgeKind::Rw && state & LAST_RW != 0 {
        return None;
    }
    let mut s = state & !LAST_RW;
    if shape == Shape::GNonadjacent && k == EdgeKind::Rw {
        s |= LAST_RW;
    }
    if k == EdgeKind::Wr {
        s |= 1;
    }
    if k.bit() & round.required != 0 {
        s |= 2;
    }
    if k == EdgeKind::Rw {
        let rw = ((s >> 2) & 3) + 1;
        if shape == Shape::GSingle && rw > 1 {
            return None;
        }
        s = (s & (3 | LAST_RW)) | (rw.min(2) << 2);
    }
    Some(s)
}

/// True when a path in `state` that began with an edge of kind `first` closes a cycle of
/// `shape`.
fn done(state: u8, first: EdgeKind, shape: Shape, round: Round) -> bool {
    let required = round.required == 0 || state & 2 != 0;
    let rw = (state >> 2) & 3;
    required
        && match shape {
            Shape::G0 => true,
            Shape::G1c => state & 1 != 0,
            Shape::GSingle => rw == 1,
            // Round the cycle, the closing edge is followed by the first one.
            Shape::GNonadjacent => rw >= 2 && !(first == EdgeKind::Rw && state & LAST_RW != 0),
            Shape::G2Item => rw >= 2,
        }
}

/// The number of transactions in each component, by component id.
fn component_sizes(comp: &[u32]) -> Vec<usize> {
    let mut sizes = Vec::new();
    for &c in comp.iter().filter(|&&c| c != NONE) {
        if sizes.len() <= c as usize {
            sizes.resize(c as usize + 1, 0);
        }
        sizes[c as usize] += 1;
    }
    sizes
}

/// The time budget of a search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Option<Instant>,
    limit: Option<Duration>,
}

impl Deadline {
    /// A deadline `limit` from now (none: no limit).
    pub(crate) fn after(limit: Option<Duration>) -> Deadline {
        Deadline {
            at: limit.map(|l| Instant::now() + l),
            limit,
        }
    }

    pub(crate) fn expired(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    pub(crate) fn reason(&self, doing: &str) -> String {
        match self.limit {
            Some(l) => format!(
                "the time limit of {:.3} s ran out while {doing}",
                l.as_secs_f64()
            ),
            None => format!("the search gave up while {doing}"),
        }
    }
}

/// What the cycle search found, and why it stopped early if it did.
#[derive(Debug, Default)]
pub(crate) struct Cycles {
    pub found: Vec<FoundCycle>,
    /// Why the search is incomplete, if it is.
    pub incomplete: Option<String>,
}

/// Searches `g` for cycles of every shape, keeping at most `cap` of each kind; `orders` has the
/// bits of the order edge kinds the graph was given (a round whose required kind is missing
/// could find nothing and is skipped).
pub(crate) fn search(g: &DepGraph, deadline: Deadline, cap: usize, orders: u8) -> Cycles {
    let mut s = Searcher {
        g,
        deadline,
        cap,
        out: Cycles::default(),
        seen: vec![0u32; g.node_count()],
        touched: Vec::new(),
        work: 0,
    };
    for (r, round) in ROUNDS.iter().enumerate() {
        if round.required != 0 && round.required & orders == 0 {
            continue;
        }
        if s.round(r, *round).is_err() {
            break;
        }
    }
    s.out
}

struct Stop;

struct Searcher<'g> {
    g: &'g DepGraph,
    deadline: Deadline,
    cap: usize,
    out: Cycles,
    /// Per node, the path states already reached in the current search (bit per state).
    seen: Vec<u32>,
    touched: Vec<u32>,
    /// Path states taken off the queue by the searches so far.
    work: usize,
}

impl Searcher<'_> {
    fn stop(&mut self, doing: &str) -> Stop {
        self.out.incomplete = Some(self.deadline.reason(doing));
        Stop
    }

    /// Component ids (NONE for nodes in no cycle) of the graph restricted to `mask`, and
    /// whether any component is non-trivial.
    fn components(&self, mask: u8) -> (Vec<u32>, bool) {
        let (comp, count) = scc::components(self.g, mask);
        (comp, count > 0)
    }

    /// Edges of kinds `kinds` inside each component, grouped by component, each group in the
    /// order the edges were added.
    fn starts(&self, comp: &[u32], kinds: u8) -> Vec<(u32, Vec<EdgeId>)> {
        let mut by: FxHashMap<u32, Vec<EdgeId>> = FxHashMap::default();
        for a in 0..self.g.node_count() as u32 {
            if comp[a as usize] == NONE {
                continue;
            }
            for (e, b, k) in self.g.edges(a) {
                if k.bit() & kinds != 0 && comp[a as usize] == comp[b as usize] {
                    by.entry(comp[a as usize]).or_default().push(e);
                }
            }
        }
        let mut v: Vec<_> = by.into_iter().collect();
        v.sort_unstable_by_key(|(c, _)| *c);
        for (_, es) in &mut v {
            es.sort_unstable_by_key(|&e| self.g.rank(e));
        }
        v
    }

    fn round(&mut self, r: usize, round: Round) -> Result<(), Stop> {
        let full = WW | WR | RW | round.extra;
        let (full_comp, any) = self.components(full);
        if !any {
            return Ok(());
        }
        if self.deadline.expired() {
            return Err(self.stop("finding strongly connected components"));
        }
        let mut single_in: Vec<u32> = Vec::new();
        let mut nonadjacent_in: Vec<u32> = Vec::new();
        for shape in [
            Shape::G0,
            Shape::G1c,
            Shape::GSingle,
            Shape::GNonadjacent,
            Shape::G2Item,
        ] {
            let mask = shape.mask(round);
            let (comp, any) = if mask == full {
                (full_comp.clone(), true)
            } else {
                self.components(mask)
            };
            if !any {
                continue;
            }
            let k = kind(shape, r);
            let sizes = component_sizes(&comp);
            let wwr = if shape == Shape::GSingle {
                self.components(WW | WR | round.extra).0
            } else {
                Vec::new()
            };
            for (c, mut starts) in self.starts(&comp, shape.start(round)) {
                if self.count(k) >= self.cap {
                    break;
                }
                let shadowed = match shape {
                    Shape::GNonadjacent => single_in.contains(&c),
                    Shape::G2Item => single_in.contains(&c) || nonadjacent_in.contains(&c),
                    _ => false,
                };
                if shadowed {
                    continue;
                }
                if shape == Shape::GSingle {
                    // Start edges whose ends also share a ww/wr component come first: at least
                    // in the first round they always close a G-single.
                    starts.sort_by_key(|e| {
                        let (a, b) = self.g.endpoints(*e);
                        wwr[a as usize] == NONE || wwr[a as usize] != wwr[b as usize]
                    });
                }
                let size = sizes[c as usize];
                if let Some(edges) = self.first_cycle(&comp, (c, size), &starts, shape, round)? {
                    match shape {
                        Shape::GSingle => single_in.push(c),
                        Shape::GNonadjacent => nonadjacent_in.push(c),
                        _ => {}
                    }
                    self.out.found.push(FoundCycle { kind: k, edges });
                }
            }
        }
        Ok(())
    }

    fn count(&self, k: AnomalyKind) -> usize {
        self.out.found.iter().filter(|c| c.kind == k).count()
    }

    /// The shortest of the first [`SHORTEST_OF`] cycles of `shape` found through the start
    /// edges, in order.
    fn first_cycle(
        &mut self,
        comp: &[u32],
        (c, size): (u32, usize),
        starts: &[EdgeId],
        shape: Shape,
        round: Round,
    ) -> Result<Option<Path>, Stop> {
        let (mut best, mut found, mut fruitless): (Option<Path>, usize, usize) = (None, 0, 0);
        let mut wasted = 0usize;
        for &e in starts {
            if self.deadline.expired() {
                return Err(self.stop("searching for cycles"));
            }
            if wasted >= FRUITLESS_WORK_PER_TXN.saturating_mul(size) {
                if best.is_none() {
                    let r = ROUNDS
                        .iter()
                        .position(|r| r.required == round.required)
                        .unwrap_or(0);
                    self.out.incomplete.get_or_insert_with(|| {
                        format!(
                            "gave up looking for {} in a strongly connected component of {size} \
                             transactions after {fruitless} fruitless searches",
                            kind(shape, r)
                        )
                    });
                }
                break;
            }
            let before = self.work;
            match self.cycle_through(comp, c, e, shape, round)? {
                Some(cycle) => {
                    found += 1;
                    if best.as_ref().is_none_or(|b| cycle.len() < b.len()) {
                        best = Some(cycle);
                    }
                    if found >= SHORTEST_OF || best.as_ref().is_some_and(|b| b.len() <= 2) {
                        break;
                    }
                }
                None => {
                    fruitless += 1;
                    wasted += self.work - before;
                }
            }
        }
        Ok(best)
    }

    /// The shortest cycle of `shape` through edge `start`, within component `c`.
    fn cycle_through(
        &mut self,
        comp: &[u32],
        c: u32,
        start: EdgeId,
        shape: Shape,
        round: Round,
    ) -> Result<Option<Path>, Stop> {
        let g = self.g;
        let (a, b) = g.endpoints(start);
        let k0 = g.kind(start);
        let Some(s0) = advance(0, k0, shape, round) else {
            return Ok(None);
        };
        let mask = shape.mask(round);
        for &t in &self.touched {
            self.seen[t as usize] = 0;
        }
        self.touched.clear();
        let mut parent: FxHashMap<(u32, u8), (u32, u8, EdgeId)> = FxHashMap::default();
        let mut queue = VecDeque::new();
        let visit = |seen: &mut Vec<u32>, touched: &mut Vec<u32>, n: u32, s: u8| -> bool {
            let bit = 1u32 << s;
            if seen[n as usize] & bit != 0 {
                return false;
            }
            if seen[n as usize] == 0 {
                touched.push(n);
            }
            seen[n as usize] |= bit;
            true
        };
        visit(&mut self.seen, &mut self.touched, b, s0);
        queue.push_back((b, s0));
        let mut pops = 0usize;
        let mut end = None;
        'bfs: while let Some((x, s)) = queue.pop_front() {
            pops += 1;
            self.work += 1;
            if pops.is_multiple_of(4096) && self.deadline.expired() {
                return Err(self.stop("searching for cycles"));
            }
            if x == a {
                continue;
            }
            for (e, y, k) in g.edges(x) {
                if k.bit() & mask == 0 || comp[y as usize] != c || y == b {
                    continue;
                }
                let Some(s2) = advance(s, k, shape, round) else {
                    continue;
                };
                if y == a && !done(s2, k0, shape, round) {
                    continue;
                }
                if !visit(&mut self.seen, &mut self.touched, y, s2) {
                    continue;
                }
                parent.insert((y, s2), (x, s, e));
                if y == a {
                    end = Some(s2);
                    break 'bfs;
                }
                queue.push_back((y, s2));
            }
        }
        let Some(mut s) = end else {
            return Ok(None);
        };
        let mut path = Vec::new();
        let mut n = a;
        while let Some(&(p, ps, e)) = parent.get(&(n, s)) {
            path.push((p, n, g.kind(e)));
            n = p;
            s = ps;
            if n == b && s == s0 {
                break;
            }
        }
        path.push((a, b, k0));
        path.reverse();
        Ok(Some(path))
    }
}
