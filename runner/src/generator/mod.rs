//! Generators: pure, seeded sources of client operations over explicit time.
//!
//! As in Jepsen's generator, a [`Generator`] is asked for its next operation with a [`Context`]
//! (the time since the start of the run and the process asking) and answers [`Next::Op`],
//! [`Next::Pending`] (nothing yet: ask again at a given time) or [`Next::Done`]. No clock is read and
//! no I/O is done here, so a schedule can be simulated and tested without a cluster
//! ([`simulate`]). Each workload's choice of operations lives in an
//! [`OpSource`](crate::workload::OpSource); [`Clients`]
//! adds the rate and the time limit. Which node an op goes to is the client's: each client is
//! bound to one node (see `run::workload_loop`).

mod clients;
mod simulate;

pub use clients::Clients;
pub use simulate::{simulate, Scheduled};

use crate::workload::Operation;

/// What a generator is asked with: the current time and the process that would perform the op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// Nanoseconds since the start of the run (the run's monotonic clock).
    pub time: u64,
    /// The client process that is free to perform an op.
    pub process: u64,
}

/// A generator's answer: an item (a client op, or a nemesis step) to perform now, a wait, or the end.
#[derive(Debug, Clone, PartialEq)]
pub enum Next<T = Operation> {
    /// Perform this now.
    Op(T),
    /// Nothing to do before this time (ns since the start of the run); ask again then.
    Pending(u64),
    /// The generator is exhausted.
    Done,
}

/// A pure source of operations over explicit time.
pub trait Generator {
    /// What it generates: a client [`Operation`], or a nemesis step.
    type Item;
    /// The next item for `ctx`, a wait, or the end.
    fn next(&mut self, ctx: Context) -> Next<Self::Item>;
}
