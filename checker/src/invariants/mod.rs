//! Invariants of replicated data types, checked over a whole history: a set's elements (as
//! Jepsen's set-full), a counter's bounds, and a booking service's rooms.
//!
//! Op encodings (as the runner records them):
//! - set: `add` (value = the element, unique; `key` optional, one set per key), `read` (value =
//!   the elements, a list); see [`set`].
//! - counter: `add` (value = the increment, `null` meaning 1), `read` (value = the total); see
//!   [`counter`].
//! - booking: `book` and `cancel` (key = room, value = guest; a book completing ok with `false`
//!   was refused, with `true` or the guest succeeded; a cancel completing ok with `false` did not
//!   hold the room, with `true` freed it, with anything else freed it if held), `available` (key =
//!   room, value = `null` when free, else the holder; a list of guests means the replica shows
//!   several holders); the same encoding as the booking model of the linearizability checker. See
//!   [`booking`].
//! - bank: `transfer` (value = `{"from": account, "to": account, "amount": positive integer}`,
//!   accounts as strings or integers; a transfer the database refused, e.g. for want of funds,
//!   completes `fail`), `read` (value = an object mapping every account to its balance); as
//!   Jepsen's bank workload. See [`bank`].
//!
//! Final reads follow the convention of [`crate::convergence`]: the reads marked final when the
//! header says they are marked, else ok reads invoked after the last nemesis op (the final heal).

pub mod bank;
pub mod booking;
pub mod counter;
pub mod set;

use histories::{Call, Outcome, Process};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// A call as a violation names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRef {
    /// Index of the invocation op.
    pub index: u64,
    /// The process.
    pub process: Process,
    /// The node that served it, if known.
    pub node: Option<String>,
    /// The operation.
    pub f: String,
    /// The key, if any.
    pub key: Option<Value>,
    /// The argument.
    pub argument: Value,
    /// The result (ok) or the argument (otherwise).
    pub result: Value,
    /// How it ended.
    pub outcome: Outcome,
}

impl From<&Call> for CallRef {
    fn from(c: &Call) -> CallRef {
        CallRef {
            index: c.invoke_index,
            process: c.process,
            node: c.node.clone(),
            f: c.f.clone(),
            key: c.key.clone(),
            argument: c.argument.clone(),
            result: c.result.clone(),
            outcome: c.outcome,
        }
    }
}

impl fmt::Display for CallRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op {} (process {}", self.index, self.process)?;
        if let Some(n) = &self.node {
            write!(f, " on {n}")?;
        }
        write!(f, "): {} ", self.f)?;
        if let Some(k) = &self.key {
            write!(f, "{k} ")?;
        }
        write!(f, "{}", self.argument)?;
        match self.outcome {
            Outcome::Ok => write!(f, " -> {}", self.result),
            Outcome::Fail => write!(f, " (failed)"),
            Outcome::Info => write!(f, " (indeterminate)"),
        }
    }
}

/// Which reads are final, by the convention of [`crate::convergence`].
pub(crate) enum FinalPhase {
    /// The header says final reads are marked: exactly these invocations (op indices).
    Marked(std::collections::HashSet<u64>),
    /// Reads invoked after this op, the last nemesis op.
    After(u64),
    /// No nemesis op and no marks: the whole history.
    Whole,
}

impl FinalPhase {
    /// The final phase of `history`.
    pub(crate) fn of(history: &histories::History) -> FinalPhase {
        if let Some(marked) = crate::convergence::finals_marked(history) {
            return FinalPhase::Marked(marked);
        }
        match history
            .ops
            .iter()
            .rev()
            .find(|o| o.process == Process::Nemesis)
        {
            Some(o) => FinalPhase::After(o.index),
            None => FinalPhase::Whole,
        }
    }

    /// True when a read invoked at op `index` is final.
    pub(crate) fn includes(&self, index: u64) -> bool {
        match self {
            FinalPhase::Marked(m) => m.contains(&index),
            FinalPhase::After(s) => index > *s,
            FinalPhase::Whole => true,
        }
    }
}

/// Prefix sums over times: [`Prefix::before`]`(t)` adds the amounts whose time is before `t`.
pub(crate) struct Prefix {
    times: Vec<u64>,
    sums: Vec<i64>,
}

impl Prefix {
    /// The prefix sums of `items`, (time, amount) pairs in any order.
    pub(crate) fn new(mut items: Vec<(u64, i64)>) -> Prefix {
        items.sort_unstable();
        let mut sums = Vec::with_capacity(items.len() + 1);
        sums.push(0);
        for (_, d) in &items {
            sums.push(sums.last().copied().unwrap_or(0) + d);
        }
        Prefix {
            times: items.iter().map(|(t, _)| *t).collect(),
            sums,
        }
    }

    /// The sum of the amounts whose time is strictly before `t`.
    pub(crate) fn before(&self, t: u64) -> i64 {
        self.sums[self.times.partition_point(|&x| x < t)]
    }
}
