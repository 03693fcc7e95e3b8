//! Generators: pure, seeded sources of client operations over explicit time.
//!
//! As in Jepsen's generator, a [`Generator`] is asked for its next operation with a [`Context`]
//! (the time since the start of the run and the process asking) and answers [`Next::Op`],
//! [`Next::Pending`] (nothing yet: ask again at a given time) or [`Next::Done`]. No clock is read and
//! no I/O is done here, so a schedule can be simulated and tested without a cluster
//! ([`simulate`]). Each workload's choice of operations (which f, key and value) lives in an
//! [`OpSource`]; [`Clients`] adds the rate, the time limit and the node each op goes to.

mod clients;
mod simulate;

pub use clients::Clients;
pub use simulate::{simulate, Scheduled};

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a generator is asked with: the current time and the process that would perform the op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// Nanoseconds since the start of the run (the run's monotonic clock).
    pub time: u64,
    /// The client process that is free to perform an op.
    pub process: u64,
}

/// One operation a client is to perform: the f, key and value of its invocation, and the node
/// (0-based index) it is sent to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    /// The operation's name (read, write, cas, book, cancel, available, add, txn, ...).
    pub f: String,
    /// The key (register key, room), when the workload has keys.
    pub key: Option<Value>,
    /// The argument.
    pub value: Value,
    /// The node the op is sent to, as an index into the cluster's nodes.
    pub node: usize,
}

/// A generator's answer: an item (a client op, or a nemesis step) to perform now, a wait, or the end.
#[derive(Debug, Clone, PartialEq)]
pub enum Next<T = Invocation> {
    /// Perform this now.
    Op(T),
    /// Nothing to do before this time (ns since the start of the run); ask again then.
    Pending(u64),
    /// The generator is exhausted.
    Done,
}

/// A pure source of operations over explicit time.
pub trait Generator {
    /// What it generates: a client [`Invocation`], or a nemesis step.
    type Item;
    /// The next item for `ctx`, a wait, or the end.
    fn next(&mut self, ctx: Context) -> Next<Self::Item>;
}

/// A workload's choice of operations: which f, key and value comes next, drawn from the seeded
/// random number generator it is given. Values that must be unique (writes, adds, appends) are
/// unique across the whole run.
pub trait OpSource: Send {
    /// The next operation's f, key and value.
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> (String, Option<Value>, Value);
}
