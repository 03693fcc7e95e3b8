//! The dependency-graph fast path for registers whose writes all carry distinct values
//! (Gibbons & Korach 1997).
//!
//! With distinct values, every read names the write it read from, and a successful cas from `a`
//! to `b` puts version `b` right after version `a`. The fast path:
//! 1. drops calls that may never take effect (info) whose written value nobody observed — taking
//!    no effect is always allowed for them and never makes a history less linearizable;
//! 2. declares the history not linearizable when a read (or a cas) observed a value no call wrote,
//!    or two successful cas replaced the same value;
//! 3. builds the graph of orders that hold in *every* linearisation — real time (through a chain
//!    of event nodes, so it has O(n) edges), write-before-its-readers, readers of a value before
//!    the cas that replaced it, readers of the initial value before every write — and declares the
//!    history not linearizable when it has a cycle (petgraph);
//! 4. otherwise guesses a version order (blocks of cas chains, ordered by their zones), adds its
//!    edges, and when the graph stays acyclic replays its topological order through the model: a
//!    linearisation, hence linearizable.
//!
//! 5. otherwise checks Gibbons and Korach's zone conditions on the blocks, which hold in every
//!    linearisation.
//!
//! Steps 2, 3 and 5 only conclude from orders forced in every linearisation, and step 4 only from a
//! linearisation it checked, so every answer is sound. When the guess fails the fast path does not
//! decide: the caller falls back to the search (on the calls left after step 1).

use super::problem::Entry;
use crate::model::append_kv::AppendKv;
use crate::model::booking::Booking;
use crate::model::counter::Counter;
use crate::model::multi_register::MultiRegister;
use crate::model::mutex::Mutex;
use crate::model::register::{Register, RegisterAction};
use crate::model::set::Set;
use crate::model::{Datum, Model};
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::VecDeque;

/// Why one call must take effect before the next one in a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Because {
    /// It completed before the next was invoked.
    RealTime,
    /// The next one read the value it wrote.
    ReadsFrom,
    /// It read a value that the next one (a cas) replaced.
    ReadBeforeOverwrite,
    /// It read the initial value, which the next one (a write) replaced for good.
    InitialValueBeforeWrite,
}

impl Because {
    /// In words, as in "A precedes B because ...".
    pub fn words(self) -> &'static str {
        match self {
            Because::RealTime => "it completed before the next was invoked",
            Because::ReadsFrom => "the next read the value it wrote",
            Because::ReadBeforeOverwrite => "it read the value the next replaced",
            Because::InitialValueBeforeWrite => {
                "it read the initial value, which the next overwrote for good"
            }
        }
    }
}

/// A proof that no linearisation exists.
#[derive(Debug, Clone, PartialEq)]
pub enum Witness {
    /// A call (entry index) observed a value that no call wrote.
    NeverWritten(usize, Datum),
    /// Two successful cas (entry indices) replaced the same value.
    TwoCasFrom(usize, usize, Datum),
    /// Each call (entry index) must take effect before the next, and the last before the first.
    Cycle(Vec<(usize, Because)>),
    /// The outer block of versions must stay current over a span of time that the inner one
    /// also needs: all of it when `inner_forward`, a moment of it otherwise.
    OverlappingSpans {
        /// The block that must stay current throughout its span.
        outer: Span,
        /// The block that needs part of that span.
        inner: Span,
        /// True when the inner block, too, must stay current over a span.
        inner_forward: bool,
    },
}

/// What the fast path concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum FastOutcome {
    /// A linearisation (entry indices in order).
    Linearizable(Vec<usize>),
    /// Not linearizable, with the proof.
    NotLinearizable(Witness),
    /// Not decided; the search should check these entries (the others never need to take effect).
    Undecided(Vec<usize>),
}

#[derive(Debug, Clone, Copy)]
enum Node {
    Call(usize),
    Time,
    Initial,
}

/// A model's polynomial-time decision, when it has one: registers with distinct written values
/// (this module's graph of versions). Every other model has none, and the search decides.
pub trait FastPath: Model {
    /// The decision over one partition's entries; `None` when the model has no fast path.
    fn fast_path(&self, _entries: &[Entry<Self::Action>]) -> Option<FastOutcome> {
        None
    }
}

impl FastPath for Register {
    fn fast_path(&self, entries: &[Entry<RegisterAction>]) -> Option<FastOutcome> {
        Some(check(self, entries))
    }
}

impl FastPath for AppendKv {}
impl FastPath for Booking {}
impl FastPath for Counter {}
impl FastPath for MultiRegister {}
impl FastPath for Mutex {}
impl FastPath for Set {}

/// Runs the fast path over one partition of a register or cas-register.
pub fn check(model: &Register, entries: &[Entry<RegisterAction>]) -> FastOutcome {
    // A failed cas observes "anything but old": neither pruning nor versions apply.
    if entries
        .iter()
        .any(|e| matches!(e.action, RegisterAction::CasFailed(_)))
    {
        return FastOutcome::Undecided((0..entries.len()).collect());
    }
    let kept = prune(entries);
    let init = &model.init;
    // Distinct written values, all different from the initial one.
    let mut writer: FxHashMap<&Datum, usize> = FxHashMap::default();
    for &i in &kept {
        if let Some(v) = written(&entries[i].action) {
            if v == init || writer.insert(v, i).is_some() {
                return FastOutcome::Undecided(kept);
            }
        }
    }
    let mut cas_from: FxHashMap<&Datum, usize> = FxHashMap::default();
    for &i in &kept {
        if let Some(v) = observed(&entries[i].action) {
            if v != init && !writer.contains_key(v) {
                return FastOutcome::NotLinearizable(Witness::NeverWritten(i, v.clone()));
            }
            if let RegisterAction::Cas(..) = entries[i].action {
                if let Some(first) = cas_from.insert(v, i) {
                    let both_required = entries[first].required() && entries[i].required();
                    if both_required {
                        return FastOutcome::NotLinearizable(Witness::TwoCasFrom(
                            first,
                            i,
                            v.clone(),
                        ));
                    }
                    return FastOutcome::Undecided(kept);
                }
            }
        }
    }

    let mut graph = Forced::build(entries, &kept, init, &writer, &cas_from);
    if toposort(&graph.g, None).is_err() {
        return FastOutcome::NotLinearizable(Witness::Cycle(graph.cycle()));
    }

    // Guess a version order: blocks headed by blind writes, each followed by its cas chain.
    let Some(blocks) = blocks(entries, &kept, init, &writer, &cas_from) else {
        return FastOutcome::Undecided(kept);
    };
    let deadline = |b: &Block| {
        b.ops
            .iter()
            .map(|&i| entries[i].complete.unwrap_or(u64::MAX))
            .min()
            .unwrap_or(u64::MAX)
    };
    let latest_start = |b: &Block| b.ops.iter().map(|&i| entries[i].invoke).max().unwrap_or(0);
    // Gibbons and Korach's zones: a block whose ops' earliest completion comes before their latest
    // invocation must be current all along between the two; place it at the completion, and
    // every other block at its latest invocation.
    let zone = |b: &Block| deadline(b).min(latest_start(b));
    for key in [&zone as &dyn Fn(&Block) -> u64, &deadline, &latest_start] {
        // The initial value's block comes first; the others by the key.
        let mut order: Vec<&Block> = blocks.iter().collect();
        order[1..].sort_by_key(|b| (key(b), b.ops.first().map_or(0, |&i| entries[i].invoke)));
        let edges = graph.add_version_order(&order);
        if let Ok(topo) = toposort(&graph.g, None) {
            let lin: Vec<usize> = topo
                .into_iter()
                .filter_map(|n| match graph.g[n] {
                    Node::Call(i) => Some(i),
                    _ => None,
                })
                .collect();
            if replays(model, entries, &lin) {
                return FastOutcome::Linearizable(lin);
            }
        }
        // Last added first: petgraph moves the last edge into a removed edge's index.
        for e in edges.into_iter().rev() {
            graph.g.remove_edge(e);
        }
    }
    match zone_conflict(entries, &blocks) {
        Some(w) => FastOutcome::NotLinearizable(w),
        None => FastOutcome::Undecided(kept),
    }
}

/// The span a block of versions must occupy: its calls take effect contiguously, at least one of
/// them before `completes` completed and one after `invoked` was invoked.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The block's first value.
    pub value: Datum,
    /// The call that completed first (entry index); `None` for the initial value, current from
    /// the start.
    pub completes: Option<usize>,
    /// The call invoked last (entry index).
    pub invoked: usize,
}

#[derive(Clone, Copy)]
struct Zone {
    block: usize,
    from: u64,
    to: u64,
    completes: Option<usize>,
    invoked: usize,
}

/// Gibbons and Korach's zone conditions, for blocks: a block whose earliest completion precedes
/// its latest invocation (a forward zone) must be current over the whole time between them, so
/// two forward zones may not overlap, and a block whose calls can only meet between its latest
/// invocation and its earliest completion (a backward zone) may not lie inside a forward zone.
fn zone_conflict(entries: &[Entry<RegisterAction>], blocks: &[Block]) -> Option<Witness> {
    let mut forward: Vec<Zone> = Vec::new();
    let mut backward: Vec<Zone> = Vec::new();
    for (k, b) in blocks.iter().enumerate() {
        let Some(&invoked) = b.ops.iter().max_by_key(|&&i| entries[i].invoke) else {
            continue;
        };
        let completes = b
            .ops
            .iter()
            .copied()
            .filter(|&i| entries[i].required())
            .min_by_key(|&i| entries[i].complete);
        let (completes, from) = match (k, completes) {
            (0, _) => (None, 0),
            (_, Some(c)) => (Some(c), entries[c].complete.unwrap_or(u64::MAX)),
            (_, None) => (None, u64::MAX),
        };
        let zone = Zone {
            block: k,
            from,
            to: entries[invoked].invoke,
            completes,
            invoked,
        };
        if zone.from <= zone.to {
            forward.push(zone);
        } else {
            backward.push(Zone {
                from: zone.to,
                to: zone.from,
                ..zone
            });
        }
    }
    let span = |z: &Zone| Span {
        value: blocks[z.block].versions[0].clone(),
        completes: z.completes,
        invoked: z.invoked,
    };
    forward.sort_by_key(|z| z.from);
    let mut reach: Option<&Zone> = None;
    for z in &forward {
        if let Some(r) = reach {
            if z.from <= r.to {
                return Some(Witness::OverlappingSpans {
                    outer: span(r),
                    inner: span(z),
                    inner_forward: true,
                });
            }
        }
        if !matches!(reach, Some(r) if z.to <= r.to) {
            reach = Some(z);
        }
    }
    for b in &backward {
        let k = forward.partition_point(|z| z.from <= b.from);
        if let Some(z) = k.checked_sub(1).map(|k| &forward[k]) {
            if z.to >= b.to {
                return Some(Witness::OverlappingSpans {
                    outer: span(z),
                    inner: span(b),
                    inner_forward: false,
                });
            }
        }
    }
    None
}

fn written(a: &RegisterAction) -> Option<&Datum> {
    match a {
        RegisterAction::Write(v) | RegisterAction::Cas(_, v) => Some(v),
        _ => None,
    }
}

fn observed(a: &RegisterAction) -> Option<&Datum> {
    match a {
        RegisterAction::Read(v) | RegisterAction::Cas(v, _) => Some(v),
        _ => None,
    }
}

/// Entries left once optional writes whose value nobody observes are dropped (to a fixpoint: a
/// dropped optional cas no longer observes its old value).
fn prune(entries: &[Entry<RegisterAction>]) -> Vec<usize> {
    let mut observers: FxHashMap<&Datum, usize> = FxHashMap::default();
    for e in entries {
        if let Some(v) = observed(&e.action) {
            *observers.entry(v).or_default() += 1;
        }
    }
    let mut alive = vec![true; entries.len()];
    let mut queue: VecDeque<usize> = (0..entries.len()).collect();
    while let Some(i) = queue.pop_front() {
        let e = &entries[i];
        if !alive[i] || e.required() {
            continue;
        }
        let Some(v) = written(&e.action) else {
            continue;
        };
        if observers.get(v).copied().unwrap_or(0) == 0 {
            alive[i] = false;
            if let RegisterAction::Cas(old, _) = &e.action {
                if let Some(c) = observers.get_mut(old) {
                    *c -= 1;
                    if *c == 0 {
                        queue.extend(
                            (0..entries.len())
                                .filter(|&j| alive[j] && written(&entries[j].action) == Some(old)),
                        );
                    }
                }
            }
        }
    }
    (0..entries.len()).filter(|&i| alive[i]).collect()
}

fn replays(model: &Register, entries: &[Entry<RegisterAction>], lin: &[usize]) -> bool {
    let mut state = model.init();
    for &i in lin {
        match model.step(&state, &entries[i].action) {
            Ok(s) => state = s,
            Err(_) => return false,
        }
    }
    true
}

/// A blind write (or the initial value) and the versions its cas chain puts right after it.
struct Block<'a> {
    /// The versions, in order.
    versions: Vec<&'a Datum>,
    /// Every call writing or observing one of them.
    ops: Vec<usize>,
}

fn blocks<'a>(
    entries: &'a [Entry<RegisterAction>],
    kept: &[usize],
    init: &'a Datum,
    writer: &FxHashMap<&'a Datum, usize>,
    cas_from: &FxHashMap<&'a Datum, usize>,
) -> Option<Vec<Block<'a>>> {
    let mut observers: FxHashMap<&Datum, Vec<usize>> = FxHashMap::default();
    for &i in kept {
        if let Some(v) = observed(&entries[i].action) {
            observers.entry(v).or_default().push(i);
        }
    }
    let heads = std::iter::once(None).chain(
        kept.iter()
            .filter(|&&i| matches!(entries[i].action, RegisterAction::Write(_)))
            .map(|&i| Some(i)),
    );
    let mut covered = 0;
    let mut out = Vec::new();
    for head in heads {
        let mut v: &Datum = match head {
            None => init,
            Some(i) => written(&entries[i].action)?,
        };
        let mut block = Block {
            versions: Vec::new(),
            ops: Vec::new(),
        };
        loop {
            covered += 1;
            if covered > writer.len() + 1 {
                return None;
            }
            block.versions.push(v);
            if let Some(&w) = writer.get(v) {
                block.ops.push(w);
            }
            block.ops.extend(
                observers
                    .get(v)
                    .into_iter()
                    .flatten()
                    .filter(|&&o| !matches!(entries[o].action, RegisterAction::Cas(..))),
            );
            match cas_from.get(v) {
                Some(&c) => v = written(&entries[c].action)?,
                None => break,
            }
        }
        out.push(block);
    }
    (covered == writer.len() + 1).then_some(out)
}

/// The graph of orders forced in every linearisation.
struct Forced<'a> {
    g: DiGraph<Node, Option<Because>>,
    call_node: Vec<NodeIndex>,
    writer: FxHashMap<&'a Datum, usize>,
    readers: FxHashMap<&'a Datum, Vec<usize>>,
}

impl<'a> Forced<'a> {
    fn build(
        entries: &'a [Entry<RegisterAction>],
        kept: &[usize],
        init: &'a Datum,
        writer: &FxHashMap<&'a Datum, usize>,
        cas_from: &FxHashMap<&'a Datum, usize>,
    ) -> Forced<'a> {
        let mut g: DiGraph<Node, Option<Because>> =
            DiGraph::with_capacity(kept.len() * 3 + 1, kept.len() * 5);
        let mut call_node = vec![NodeIndex::end(); entries.len()];
        for &i in kept {
            call_node[i] = g.add_node(Node::Call(i));
        }
        // Real time: a chain of event nodes in history order.
        let mut events: Vec<(u64, usize, bool)> = Vec::with_capacity(kept.len() * 2);
        for &i in kept {
            events.push((entries[i].invoke, i, true));
            if let Some(c) = entries[i].complete {
                events.push((c, i, false));
            }
        }
        events.sort_unstable();
        let mut previous: Option<NodeIndex> = None;
        for (_, i, invoke) in events {
            let t = g.add_node(Node::Time);
            if let Some(p) = previous {
                g.add_edge(p, t, None);
            }
            previous = Some(t);
            if invoke {
                g.add_edge(t, call_node[i], None);
            } else {
                g.add_edge(call_node[i], t, Some(Because::RealTime));
            }
        }
        let mut readers: FxHashMap<&Datum, Vec<usize>> = FxHashMap::default();
        for &i in kept {
            if let Some(v) = observed(&entries[i].action) {
                if let Some(&w) = writer.get(v) {
                    g.add_edge(call_node[w], call_node[i], Some(Because::ReadsFrom));
                }
                if let RegisterAction::Read(_) = entries[i].action {
                    readers.entry(v).or_default().push(i);
                    if let Some(&c) = cas_from.get(v) {
                        g.add_edge(
                            call_node[i],
                            call_node[c],
                            Some(Because::ReadBeforeOverwrite),
                        );
                    }
                }
            }
        }
        // Readers of the initial value (and the cas replacing it) precede every other write.
        let hub = g.add_node(Node::Initial);
        let first_cas = cas_from.get(init).copied();
        for &r in readers
            .get(init)
            .into_iter()
            .flatten()
            .chain(first_cas.iter())
        {
            g.add_edge(call_node[r], hub, Some(Because::InitialValueBeforeWrite));
        }
        for &w in writer.values() {
            if Some(w) != first_cas {
                g.add_edge(hub, call_node[w], None);
            }
        }
        Forced {
            g,
            call_node,
            writer: writer.clone(),
            readers,
        }
    }

    /// Adds the edges of a guessed version order; returns them so they can be taken out again.
    fn add_version_order(&mut self, order: &[&Block]) -> Vec<petgraph::graph::EdgeIndex> {
        let versions: Vec<&Datum> = order
            .iter()
            .flat_map(|b| b.versions.iter().copied())
            .collect();
        let mut added = Vec::new();
        for pair in versions.windows(2) {
            let (u, w) = (pair[0], pair[1]);
            let Some(&wn) = self.writer.get(w) else {
                continue;
            };
            let to = self.call_node[wn];
            let from: Vec<usize> = self
                .writer
                .get(u)
                .copied()
                .into_iter()
                .chain(self.readers.get(u).into_iter().flatten().copied())
                .collect();
            for f in from {
                if f != wn {
                    added.push(self.g.add_edge(self.call_node[f], to, None));
                }
            }
        }
        added
    }

    /// A cycle of calls, with why each precedes the next.
    fn cycle(&self) -> Vec<(usize, Because)> {
        let scc = tarjan_scc(&self.g)
            .into_iter()
            .find(|c| c.len() > 1)
            .unwrap_or_default();
        let Some(&start) = scc.iter().find(|&&n| matches!(self.g[n], Node::Call(_))) else {
            return Vec::new();
        };
        let inside: rustc_hash::FxHashSet<NodeIndex> = scc.iter().copied().collect();
        // Breadth-first from start back to start, within the component.
        let mut parent: FxHashMap<NodeIndex, (NodeIndex, Option<Because>)> = FxHashMap::default();
        let mut queue = VecDeque::from([start]);
        let mut closing = None;
        'bfs: while let Some(n) = queue.pop_front() {
            for e in self.g.edges(n) {
                let t = e.target();
                if t == start {
                    closing = Some((n, *e.weight()));
                    break 'bfs;
                }
                if inside.contains(&t) && !parent.contains_key(&t) {
                    parent.insert(t, (n, *e.weight()));
                    queue.push_back(t);
                }
            }
        }
        let Some((mut n, mut why)) = closing else {
            return Vec::new();
        };
        let mut path: Vec<(NodeIndex, Option<Because>)> = vec![(n, why)];
        while n != start {
            (n, why) = parent[&n];
            path.push((n, why));
        }
        path.reverse();
        // Keep the calls; the reason out of a call is its edge's, real time through event nodes.
        let mut out = Vec::new();
        for &(node, because) in &path {
            if let Node::Call(i) = self.g[node] {
                out.push((i, because.unwrap_or(Because::RealTime)));
            }
        }
        out
    }
}
