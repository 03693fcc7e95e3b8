//! rift's op and history model, and the file formats histories are read from and written to.
//!
//! The nouns this crate owns:
//! - an [`Op`] is one event of a history: a client (or the nemesis) *invoking* a call, or the call
//!   completing as `ok` (it took effect), `fail` (it definitely did not) or `info` (it may have taken
//!   effect at any time after its invocation, or never);
//! - a [`History`] is the ordered list of ops of one run, with a [`Header`] of metadata;
//! - a [`Call`] pairs an invocation with its completion; calls are what checkers reason about;
//! - a history's [`Provenance`] is the file and the line of each op it was read from, so that
//!   errors found after parsing still point into the file.
//!
//! Data flows one way: a file is parsed (see [`formats`]) into a `History`, [`History::calls`]
//! pairs it into calls (rejecting ill-formed histories with a located [`HistoryError`]), and the
//! `checker` crate judges the calls. This crate does no networking and knows nothing of tokio.

pub mod call;
pub mod error;
pub mod formats;
pub mod history;
pub mod op;
mod op_de;
pub mod provenance;
pub mod time;

pub use call::{Call, Outcome};
pub use error::{HistoryError, Location};
pub use history::{Header, History, FORMAT_VERSION};
pub use op::{Op, OpType, Process};
pub use provenance::Provenance;
