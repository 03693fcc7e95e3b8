//! Recording: every client call and nemesis step appended to history.jsonl as the run goes.
//!
//! A [`Recorder`] is shared by every client task. Recording an event formats the op's JSON line
//! from borrowed pieces (all but its index and time) in a buffer of the recording thread, then
//! takes a short lock that assigns the next index, reads the run's monotonic clock (so index order
//! is time order) and appends the whole line to a shared buffer: the clients never wait for the
//! disk and allocate nothing per op. A writer thread swaps that buffer for an empty one every
//! [`FLUSH_EVERY`] and writes the lines in one call, so a runner killed with SIGKILL mid-run
//! leaves a readable history (whole lines, but for a last line cut short when the kill lands
//! inside that call) whose open calls read as info.
//!
//! Conventions:
//! - a client call is an `invoke` recorded before the request is sent and a completion recorded
//!   when it returns: `ok`, `fail` for a definite error, `info` for a timeout or an indefinite
//!   error; `node` names the replica the request went to;
//! - a nemesis step is ONE op: process `"nemesis"`, type `info`, `f` the step's name (partition,
//!   heal, pause, resume, kill, restart, clock-offset, clock-reset), `value` the step as data, and
//!   `outcome` (installed / skipped / indeterminate), `reason` and `end` (the time the mechanism
//!   returned, ns) as extra keys. Starting and ending a fault are two different steps (pause, then
//!   resume), never one f with two meanings.

mod invocation;
mod line;
mod recorder;
#[cfg(test)]
mod sigkill;
mod writer;

pub use invocation::Invocation;
pub use recorder::Recorder;
pub use writer::FLUSH_EVERY;
