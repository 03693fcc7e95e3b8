//! The Wing-Gong-Lowe search with memoisation, as in Lowe's "Testing for linearizability" (2017)
//! and Porcupine.
//!
//! The calls of one partition become a doubly linked list of invocation and completion events in
//! real-time order. The search walks the list from its head: at an invocation it tries to
//! linearise that call next (the model must accept it, and the configuration — the set of
//! linearised calls as a bitset, plus the model state — must be new), lifting the call out of the
//! list; at a completion it has met a call that should already have taken effect, so it backtracks.
//! Calls that may never take effect (info) have no completion event and need not be linearised:
//! the search succeeds as soon as every required call is.
//!
//! Two refinements keep the tree small. Children are tried just in time (Lowe 2017): first the
//! call whose completion comes first, then the others. And a pending read-only call (one that
//! never changes the state where it is legal) that is legal now is linearised greedily, with no
//! alternative tried: its real-time predecessors are all linearised already, and moving it from
//! wherever it sits in a linearisation to right now changes no state, so if the configuration
//! after it has no linearisation, the configuration before it has none either. Finally, a
//! configuration is abandoned at once when the model says that no sequence of the pending calls
//! can make the urgent call legal ([`Model::can_reach`]).

use super::budget::{Budget, Exhausted};
use super::problem::Entry;
use crate::model::Model;
use rustc_hash::FxHashSet;
use std::hash::{Hash, Hasher};

/// What the search found for one partition.
#[derive(Debug, Clone)]
pub enum SearchOutcome<S> {
    /// A linearisation: entry indices in the order they take effect (optional calls left out
    /// took no effect).
    Linearizable(Vec<usize>),
    /// No linearisation exists.
    NotLinearizable(Failure<S>),
    /// The budget ran out first.
    Exhausted(Exhausted),
}

/// Why no linearisation exists: the deepest point the search reached.
#[derive(Debug, Clone)]
pub struct Failure<S> {
    /// The longest partial linearisation found (entry indices in order).
    pub longest: Vec<usize>,
    /// The state after it.
    pub state: S,
    /// The call that could not be placed after it (entry index).
    pub blocked: usize,
    /// States in which the search found that call impossible (a few, deduplicated).
    pub blocked_states: Vec<S>,
}

/// The search's result and how much work it took.
#[derive(Debug, Clone)]
pub struct Search<S> {
    /// What it found.
    pub outcome: SearchOutcome<S>,
    /// Configurations memoised.
    pub memo_entries: u64,
    /// Steps of the search (events visited).
    pub steps: u64,
}

/// A configuration already explored: the linearised set (with its Zobrist hash) and the state.
struct Seen<S> {
    hash: u64,
    bits: Box<[u64]>,
    state: S,
}

impl<S: Hash> Hash for Seen<S> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.hash.hash(h);
        self.state.hash(h);
    }
}

impl<S: PartialEq> PartialEq for Seen<S> {
    fn eq(&self, o: &Self) -> bool {
        self.hash == o.hash && self.state == o.state && self.bits == o.bits
    }
}

impl<S: Eq> Eq for Seen<S> {}

/// Node 0 is the head sentinel; node `k > 0` is event `k - 1`.
#[derive(Clone, Copy)]
enum Event {
    Invoke(u32),
    Complete(u32),
}

struct List {
    next: Vec<u32>,
    prev: Vec<u32>,
}

impl List {
    fn unlink(&mut self, x: u32) {
        let (p, n) = (self.prev[x as usize], self.next[x as usize]);
        self.next[p as usize] = n;
        self.prev[n as usize] = p;
    }
    fn relink(&mut self, x: u32) {
        let (p, n) = (self.prev[x as usize], self.next[x as usize]);
        self.next[p as usize] = x;
        self.prev[n as usize] = x;
    }
}

/// A splitmix64 step: Zobrist keys for calls.
fn zobrist(i: usize) -> u64 {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const BLOCKED_STATES_KEPT: usize = 6;

/// Searches for a linearisation of `entries` from the model's initial state.
pub fn search<M: Model>(
    model: &M,
    entries: &[Entry<M::Action>],
    budget: &Budget,
) -> Search<M::State> {
    let n = entries.len();
    let mut events: Vec<(u64, Event)> = Vec::with_capacity(2 * n);
    for (i, e) in entries.iter().enumerate() {
        events.push((e.invoke, Event::Invoke(i as u32)));
        if let Some(c) = e.complete {
            events.push((c, Event::Complete(i as u32)));
        }
    }
    events.sort_by_key(|&(pos, ev)| (pos, matches!(ev, Event::Invoke(_))));
    let m = events.len() as u32;
    let mut list = List {
        next: (0..=m).map(|k| if k == m { 0 } else { k + 1 }).collect(),
        prev: (0..=m).map(|k| if k == 0 { m } else { k - 1 }).collect(),
    };
    let kinds: Vec<Event> = std::iter::once(Event::Invoke(u32::MAX))
        .chain(events.iter().map(|e| e.1))
        .collect();
    let mut invoke_node = vec![0u32; n];
    let mut complete_node = vec![0u32; n];
    for (k, &(_, ev)) in events.iter().enumerate() {
        match ev {
            Event::Invoke(i) => invoke_node[i as usize] = k as u32 + 1,
            Event::Complete(i) => complete_node[i as usize] = k as u32 + 1,
        }
    }
    let keys: Vec<u64> = (0..n).map(zobrist).collect();
    let words = n.div_ceil(64);
    let entry_bytes = (std::mem::size_of::<Seen<M::State>>() + words * 8 + 16) as i64;

    let mut bits = vec![0u64; words];
    let mut hash = 0u64;
    let mut state = model.init();
    let mut stack: Vec<(u32, M::State, bool)> = Vec::new();
    let mut memo: FxHashSet<Seen<M::State>> = FxHashSet::default();
    let mut remaining = entries.iter().filter(|e| e.required()).count();
    let mut charged = 0i64;
    let mut steps = 0u64;
    let mut longest: Vec<usize> = Vec::new();
    let mut longest_state = state.clone();
    let mut longest_blocked = usize::MAX;
    let mut blocked_states: Vec<Vec<M::State>> = vec![Vec::new(); n];

    // Children of a configuration are tried "just in time" (Lowe 2017): first the call whose
    // completion comes first (it must take effect now), then the other pending calls in
    // invocation order. Same tree as plain WGL, children reordered, so just as complete.
    let urgent_of = |list: &List| -> usize {
        let mut x = list.next[0];
        while x != 0 {
            if let Event::Complete(i) = kinds[x as usize] {
                return i as usize;
            }
            x = list.next[x as usize];
        }
        usize::MAX
    };
    let mut urgent = urgent_of(&list);
    let mut cursor: Option<u32> = None; // None: try the urgent call; Some(node): scan from node
    let mut exhausted = false; // every child of this configuration is known to fail
    let outcome = loop {
        if remaining == 0 {
            break SearchOutcome::Linearizable(stack.iter().map(|&(i, _, _)| i as usize).collect());
        }
        steps += 1;
        if steps & 1023 == 0 {
            let size = memo.len() as i64 * entry_bytes;
            budget.charge(size - charged);
            charged = size;
            if let Err(e) = budget.check() {
                break SearchOutcome::Exhausted(e);
            }
        }
        let candidate = match cursor {
            None => {
                cursor = Some(list.next[0]);
                Some(urgent)
            }
            Some(x) => match kinds[x as usize] {
                Event::Invoke(i) if x != 0 => {
                    cursor = Some(list.next[x as usize]);
                    (i as usize != urgent).then_some(i as usize)
                }
                _ => None,
            },
        };
        let at_end =
            matches!(cursor, Some(x) if x == 0 || matches!(kinds[x as usize], Event::Complete(_)));
        if exhausted || (at_end && candidate.is_none()) {
            // Every child tried: backtrack.
            let seen = &mut blocked_states[urgent];
            if seen.len() < BLOCKED_STATES_KEPT && !seen.contains(&state) {
                seen.push(state.clone());
            }
            if stack.len() > longest.len() || longest_blocked == usize::MAX {
                longest = stack.iter().map(|&(i, _, _)| i as usize).collect();
                longest_state = state.clone();
                longest_blocked = urgent;
            }
            let Some((j, previous, greedy)) = stack.pop() else {
                break SearchOutcome::NotLinearizable(Failure {
                    longest: std::mem::take(&mut longest),
                    state: longest_state.clone(),
                    blocked: longest_blocked,
                    blocked_states: std::mem::take(&mut blocked_states[longest_blocked]),
                });
            };
            let ju = j as usize;
            state = previous;
            bits[ju / 64] &= !(1 << (ju % 64));
            hash ^= keys[ju];
            if entries[ju].required() {
                list.relink(complete_node[ju]);
                remaining += 1;
            }
            list.relink(invoke_node[ju]);
            urgent = urgent_of(&list);
            cursor = Some(if ju == urgent {
                list.next[0]
            } else {
                list.next[invoke_node[ju] as usize]
            });
            exhausted = greedy;
            continue;
        }
        let Some(iu) = candidate else { continue };
        if let Ok(next) = model.step(&state, &entries[iu].action) {
            let greedy = model.is_read_only(&entries[iu].action);
            bits[iu / 64] |= 1 << (iu % 64);
            hash ^= keys[iu];
            let fresh = memo.insert(Seen {
                hash,
                bits: bits.clone().into_boxed_slice(),
                state: next.clone(),
            });
            if fresh {
                stack.push((iu as u32, std::mem::replace(&mut state, next), greedy));
                list.unlink(invoke_node[iu]);
                if entries[iu].required() {
                    list.unlink(complete_node[iu]);
                    remaining -= 1;
                }
                cursor = None;
                if remaining > 0 {
                    urgent = urgent_of(&list);
                    // Abandon a configuration from which the urgent call can never become legal.
                    let mut x = list.next[0];
                    let mut pending = std::iter::from_fn(|| loop {
                        match kinds[x as usize] {
                            Event::Invoke(i) if x != 0 => {
                                x = list.next[x as usize];
                                if i as usize != urgent {
                                    return Some(&entries[i as usize].action);
                                }
                            }
                            _ => return None,
                        }
                    });
                    exhausted = !model.can_reach(&state, &entries[urgent].action, &mut pending);
                }
                continue;
            }
            bits[iu / 64] &= !(1 << (iu % 64));
            hash ^= keys[iu];
            // Seen already, hence failed; and greedy, so the whole configuration fails.
            exhausted = greedy;
        }
    };
    budget.charge(-charged);
    Search {
        outcome,
        memo_entries: memo.len() as u64,
        steps,
    }
}
