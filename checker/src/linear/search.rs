//! The Wing-Gong-Lowe search with memoisation, as in Lowe's "Testing for linearizability" (2017)
//! and Porcupine.
//!
//! The calls of one partition that must take effect (those with a completion) become a
//! `Timeline` of invocation and completion events in real-time order. The search walks it from
//! its head: at an invocation it tries to linearise that call next (the model must accept it, and
//! the configuration must be new to the `Memo`), lifting the call's events out; at a completion
//! it has met a call that should already have taken effect, so it backtracks. It succeeds as soon
//! as every call that must take effect has.
//!
//! # Calls that may never take effect
//! An info call (or one never completed) may take effect at any point after its invocation, or
//! never. One that never changes the state (a read) is dropped: taking effect could change
//! nothing. The others are grouped into *classes* of equal actions (the writes of 3 are one class),
//! kept off the timeline. Two calls of a class, once both invoked, can stand in for each other
//! in any linearisation, and every call linearised so far was invoked before the window ends (the
//! first completion left): so a configuration needs only *how many* calls of each class it has
//! linearised, and the search tries one call of a class at a time (the earliest one not yet
//! used), where it is available: when it has more calls invoked before the window ends than it
//! has used. And an optional call is tried only where it makes a difference to the call
//! linearised right after it (which is then one it makes a difference to): an optional call
//! followed by a call that would leave the same state without it is left out of that
//! linearisation, which then has one more optional call to spare. A long history of crashed clients, whose dangling calls would otherwise all be
//! candidates in every configuration and make every subset of them a different configuration,
//! costs a few counters instead.
//!
//! # Configurations
//! A configuration is the set of linearised calls and the model state. Its calls that must take
//! effect are those invoked before the window ends except the ones still in the window, so the
//! memo's key is the call whose completion ends the window, the calls still in the window, and
//! each class's count: a few dozen words whatever the length of the history, where a bitset of
//! the calls would take a bit per call (12.5 KB per configuration for 100,000 calls).
//!
//! # Pruning
//! Children are tried just in time (Lowe 2017): first the call whose completion comes first (the
//! *urgent* call), then the others of the window in invocation order, then one call of each
//! available class. A pending read-only call that is legal now is linearised greedily, with no
//! alternative tried: its real-time predecessors are all linearised already, and moving it from
//! wherever it sits in a linearisation to right now changes no state, so if the configuration
//! after it has no linearisation, the configuration before it has none either. And a
//! configuration is abandoned at once when the model says of some call of the window that must
//! take effect that it can never become legal, whatever the calls that may precede it do
//! ([`Model::can_reach`]). Asking about every call of the window, not only the urgent one, finds a
//! wrong guess as soon as any pending read contradicts it: on Porcupine's 50-client kv history it
//! cuts the configurations explored from 157,513 to 6,938. After a read-only step the state is
//! unchanged, so only the calls new to the window are asked about.

use super::budget::{Budget, Exhausted};
use super::memo::Memo;
use super::problem::Entry;
use super::timeline::Timeline;
use crate::model::Model;
use rustc_hash::FxHashMap;

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

/// A splitmix64 step: Zobrist keys for calls and class counts.
fn zobrist(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The Zobrist key of class `k`'s `c`-th use.
fn class_key(k: usize, c: u32) -> u64 {
    zobrist(((k as u64) << 32 | c as u64) ^ 0xA5A5_A5A5_0000_0000)
}

const BLOCKED_STATES_KEPT: usize = 6;

/// How many steps pass between two looks at the budget.
const BUDGET_EVERY: u64 = 1024;

/// Optional calls (no completion) that may change the state, in classes of equal actions.
struct Classes {
    /// Per class, its calls (entry indices) in invocation order.
    members: Vec<Vec<usize>>,
    /// Per class, its calls' invocation positions, in order.
    invokes: Vec<Vec<u64>>,
}

impl Classes {
    fn new<M: Model>(model: &M, entries: &[Entry<M::Action>]) -> Classes {
        let mut index: FxHashMap<&M::Action, usize> = FxHashMap::default();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if e.required() || model.is_read_only(&e.action) {
                continue;
            }
            let k = *index.entry(&e.action).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            });
            members[k].push(i);
        }
        // Classes whose first call comes first are tried first.
        members.sort_by_key(|m| entries[m[0]].invoke);
        let invokes = members
            .iter()
            .map(|m| m.iter().map(|&i| entries[i].invoke).collect())
            .collect();
        Classes { members, invokes }
    }

    fn len(&self) -> usize {
        self.members.len()
    }

    /// How many calls of class `k` are invoked before `position`.
    fn invoked_before(&self, k: usize, position: u64) -> u32 {
        self.invokes[k].partition_point(|&p| p < position) as u32
    }

    /// The classes with a call invoked before `end` (`None`: the end of time) that `used` has not
    /// used, had it used one more of class `taken`.
    fn available<'a>(
        &'a self,
        end: Option<u64>,
        used: &'a Used,
        taken: usize,
    ) -> impl Iterator<Item = usize> + 'a {
        let end = end.unwrap_or(u64::MAX);
        (0..self.len())
            .take_while(move |&k| self.invokes[k][0] < end)
            .filter(move |&k| self.invoked_before(k, end) > used.counts[k] + u32::from(k == taken))
    }
}

/// What a step of the search linearised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// A call that must take effect (entry index).
    Required(u32),
    /// The next unused call of an optional class (class index).
    Optional(u32),
}

/// Where the search is among a configuration's children.
#[derive(Debug, Clone, Copy)]
enum Cursor {
    /// The urgent call is next.
    Urgent,
    /// The window's call at this timeline node is next (the urgent one is skipped).
    Window(u32),
    /// The first available class from this one is next.
    Class(usize),
}

/// One linearised call on the search's stack.
struct Frame<S> {
    choice: Choice,
    /// The call's entry index.
    entry: u32,
    /// The state before it.
    previous: S,
    /// True when it was linearised greedily (no alternative is tried).
    greedy: bool,
    /// Where the configuration before it goes on when it fails.
    resume: Cursor,
}

/// The configuration's counts of used calls per class, with the set of classes in use.
struct Used {
    counts: Vec<u32>,
    /// Classes with a non-zero count, as a bitset.
    nonzero: Vec<u64>,
    hash: u64,
}

impl Used {
    fn new(classes: usize) -> Used {
        Used {
            counts: vec![0; classes],
            nonzero: vec![0; classes.div_ceil(64)],
            hash: 0,
        }
    }

    fn take(&mut self, k: usize) {
        self.counts[k] += 1;
        self.hash ^= class_key(k, self.counts[k]);
        self.nonzero[k / 64] |= 1 << (k % 64);
    }

    fn give_back(&mut self, k: usize) {
        self.hash ^= class_key(k, self.counts[k]);
        self.counts[k] -= 1;
        if self.counts[k] == 0 {
            self.nonzero[k / 64] &= !(1 << (k % 64));
        }
    }

    /// Writes `(class, count)` for every class in use, by class.
    fn write(&self, key: &mut Vec<u32>) {
        key.clear();
        for (w, &word) in self.nonzero.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let k = w * 64 + bits.trailing_zeros() as usize;
                key.push(k as u32);
                key.push(self.counts[k]);
                bits &= bits - 1;
            }
        }
    }
}

/// Searches for a linearisation of `entries` from the model's initial state.
pub fn search<M: Model>(
    model: &M,
    entries: &[Entry<M::Action>],
    budget: &Budget,
) -> Search<M::State> {
    let n = entries.len();
    let classes = Classes::new(model, entries);
    let mut timeline = Timeline::new(entries);
    let keys: Vec<u64> = (0..n as u64).map(zobrist).collect();

    let mut linearised_hash = 0u64;
    let mut used = Used::new(classes.len());
    let mut state = model.init();
    let mut stack: Vec<Frame<M::State>> = Vec::new();
    let mut memo: Memo<M::State> = Memo::new();
    let mut key: Vec<u32> = Vec::new();
    let mut pairs: Vec<u32> = Vec::new();
    let mut remaining = entries.iter().filter(|e| e.required()).count();
    let (mut held, mut reserved) = (0u64, 0u64);
    let mut steps = 0u64;
    let mut longest: Vec<usize> = Vec::new();
    let mut longest_state = state.clone();
    let mut longest_blocked = usize::MAX;
    let mut blocked_states: Vec<Vec<M::State>> = vec![Vec::new(); n];

    let mut urgent = timeline.urgent().unwrap_or(usize::MAX);
    let stuck = unreachable(model, entries, &timeline, &classes, &used, &state, 0);
    // The call blamed when this configuration fails: the urgent one, or one found unreachable.
    let mut blocker = stuck.unwrap_or(urgent);
    let mut cursor = Cursor::Urgent;
    let mut exhausted = stuck.is_some(); // every child of this configuration is known to fail
    let outcome = loop {
        if remaining == 0 {
            break SearchOutcome::Linearizable(stack.iter().map(|f| f.entry as usize).collect());
        }
        steps += 1;
        if steps.is_multiple_of(BUDGET_EVERY) {
            // Numbers take one or two bytes each; a count vector has 9 bytes besides.
            let bytes = 2 * (key.len() + pairs.len()) + 16;
            let (now_held, now_reserved) =
                (memo.bytes(), memo.growth(BUDGET_EVERY as usize, bytes));
            budget.charge(
                now_held as i64 - held as i64,
                now_reserved as i64 - reserved as i64,
            );
            (held, reserved) = (now_held, now_reserved);
            if let Err(e) = budget.check() {
                break SearchOutcome::Exhausted(e);
            }
        }
        let candidate = if exhausted {
            None
        } else {
            next_child(&timeline, &classes, &used, entries, urgent, &mut cursor)
        };
        let Some(choice) = candidate else {
            // Every child tried: backtrack.
            let seen = &mut blocked_states[blocker];
            if seen.len() < BLOCKED_STATES_KEPT && !seen.contains(&state) {
                seen.push(state.clone());
            }
            if stack.len() > longest.len() || longest_blocked == usize::MAX {
                longest = stack.iter().map(|f| f.entry as usize).collect();
                longest_state = state.clone();
                longest_blocked = blocker;
            }
            let Some(frame) = stack.pop() else {
                break SearchOutcome::NotLinearizable(Failure {
                    longest: std::mem::take(&mut longest),
                    state: longest_state.clone(),
                    blocked: longest_blocked,
                    blocked_states: std::mem::take(&mut blocked_states[longest_blocked]),
                });
            };
            state = frame.previous;
            match frame.choice {
                Choice::Required(j) => {
                    let j = j as usize;
                    linearised_hash ^= keys[j];
                    remaining += 1;
                    timeline.restore(j);
                    urgent = timeline.urgent().unwrap_or(usize::MAX);
                }
                Choice::Optional(k) => used.give_back(k as usize),
            }
            cursor = frame.resume;
            blocker = urgent;
            exhausted = frame.greedy;
            continue;
        };
        let (entry, action) = match choice {
            Choice::Required(i) => (i as usize, &entries[i as usize].action),
            Choice::Optional(k) => {
                let k = k as usize;
                let i = classes.members[k][used.counts[k] as usize];
                (i, &entries[i].action)
            }
        };
        let Ok(next) = model.step(&state, action) else {
            continue;
        };
        // Right after an optional call, only a call it made a difference to is tried: were the
        // optional call left out, this call would leave the same state, and the configuration
        // without it (a sibling, with one more optional call to spare) covers this one.
        if let Some(Frame {
            choice: Choice::Optional(_),
            previous,
            ..
        }) = stack.last()
        {
            if model
                .step(previous, action)
                .is_ok_and(|without| without == next)
            {
                continue;
            }
        }
        // So an optional call is tried only when it makes a difference to a call that may come
        // next.
        if let Choice::Optional(k) = choice {
            let matters = |a: &M::Action| match model.step(&next, a) {
                Ok(with) => model
                    .step(&state, a)
                    .map_or(true, |without| without != with),
                Err(_) => false,
            };
            let useful = timeline
                .window_since(0)
                .any(|i| matters(&entries[i].action))
                || classes
                    .available(entries[urgent].complete, &used, k as usize)
                    .any(|j| matters(&entries[classes.members[j][0]].action));
            if !useful {
                continue;
            }
        }
        let greedy = matches!(choice, Choice::Required(_)) && model.is_read_only(action);
        // Linearise it, then ask the memo whether the configuration is new.
        let mut since = 0;
        let next_urgent = match choice {
            Choice::Required(i) => {
                linearised_hash ^= keys[i as usize];
                remaining -= 1;
                // A read-only call left the state as it was: only calls new to the window
                // (invoked after the old urgent call's completion) need asking.
                if greedy {
                    since = timeline.end_of_window();
                }
                timeline.lift(i as usize);
                timeline.urgent().unwrap_or(usize::MAX)
            }
            Choice::Optional(k) => {
                used.take(k as usize);
                urgent
            }
        };
        let fresh = remaining == 0 || {
            configuration_key(&timeline, next_urgent, &mut key);
            used.write(&mut pairs);
            memo.insert(linearised_hash, &key, &next, &used.counts, &pairs)
        };
        if fresh {
            stack.push(Frame {
                choice,
                entry: entry as u32,
                previous: std::mem::replace(&mut state, next),
                greedy,
                resume: cursor,
            });
            if remaining == 0 {
                continue;
            }
            urgent = next_urgent;
            cursor = Cursor::Urgent;
            let stuck = unreachable(model, entries, &timeline, &classes, &used, &state, since);
            blocker = stuck.unwrap_or(urgent);
            exhausted = stuck.is_some();
            continue;
        }
        match choice {
            Choice::Required(i) => {
                timeline.restore(i as usize);
                linearised_hash ^= keys[i as usize];
                remaining += 1;
            }
            Choice::Optional(k) => used.give_back(k as usize),
        }
        // Seen already, hence failed; and greedy, so the whole configuration fails.
        exhausted = greedy;
    };
    budget.charge(-(held as i64), -(reserved as i64));
    Search {
        outcome,
        memo_entries: memo.len() as u64,
        steps,
    }
}

/// The next child of the configuration to try, moving the cursor past it: the urgent call, the
/// window's other calls in invocation order, then the next unused call of each class that has
/// one invoked before the window ends.
fn next_child<A>(
    timeline: &Timeline,
    classes: &Classes,
    used: &Used,
    entries: &[Entry<A>],
    urgent: usize,
    cursor: &mut Cursor,
) -> Option<Choice> {
    loop {
        match *cursor {
            Cursor::Urgent => {
                *cursor = Cursor::Window(timeline.first());
                return Some(Choice::Required(urgent as u32));
            }
            Cursor::Window(x) => match timeline.invocation_at(x) {
                Some((i, next)) => {
                    *cursor = Cursor::Window(next);
                    if i != urgent {
                        return Some(Choice::Required(i as u32));
                    }
                }
                None => *cursor = Cursor::Class(0),
            },
            Cursor::Class(from) => {
                let end = entries[urgent].complete;
                let found = classes
                    .available(end, used, usize::MAX)
                    .find(|&k| k >= from);
                *cursor = Cursor::Class(found.map_or(classes.len(), |k| k + 1));
                return found.map(|k| Choice::Optional(k as u32));
            }
        }
    }
}

/// The memo's key of the required calls a configuration has linearised, whose window ends at
/// `urgent`'s completion: `urgent`, then the calls still in the window, in invocation order.
fn configuration_key(timeline: &Timeline, urgent: usize, key: &mut Vec<u32>) {
    key.clear();
    key.push(urgent as u32);
    key.extend(timeline.window_since(0).map(|i| i as u32));
}

/// True unless the model says that call `t` can never become legal from `state`, whatever calls
/// that may take effect before it do.
fn reachable<M: Model>(
    model: &M,
    entries: &[Entry<M::Action>],
    timeline: &Timeline,
    classes: &Classes,
    used: &Used,
    state: &M::State,
    t: usize,
) -> bool {
    let optional = classes
        .available(entries[t].complete, used, usize::MAX)
        .map(|k| &entries[classes.members[k][0]].action);
    let mut before = timeline
        .before_completion(t)
        .map(|i| &entries[i].action)
        .chain(optional);
    model.can_reach(state, &entries[t].action, &mut before)
}

/// A call of the window invoked after event node `since` that can never become legal from
/// `state`: then the configuration has no linearisation.
fn unreachable<M: Model>(
    model: &M,
    entries: &[Entry<M::Action>],
    timeline: &Timeline,
    classes: &Classes,
    used: &Used,
    state: &M::State,
    since: u32,
) -> Option<usize> {
    timeline
        .window_since(since)
        .find(|&t| !reachable(model, entries, timeline, classes, used, state, t))
}
