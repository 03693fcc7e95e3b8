//! rift's checkers: pure functions from a history to a verdict.
//!
//! The nouns this crate owns:
//! - a [`Verdict`] is Valid, Invalid or Unknown (with the reason), composed with Invalid > Unknown >
//!   Valid;
//! - a model is a pure step function over a state (a register, a mutex, a booking ledger, ...);
//! - a checker takes a `&histories::History` (or its calls) and returns a verdict with an
//!   explanation that is data first and rendered in words by `Display`.
//!
//! Checkers beyond linearizability: [`txn`] builds Elle-style dependency graphs over
//! transactions and names their anomalies (G0 ... G2-item) and the consistency models they rule
//! out; [`convergence`] asks whether replicas agree after the final heal and hold every
//! acknowledged write; [`invariants`] checks sets, counters and bookings over a whole history.
//! A [`Witness`] is an invalid verdict shrunk to a small sub-history showing the same anomaly.
//!
//! Nothing here does I/O or knows of tokio: parsing lives in `histories`, running in `runner`.

pub mod categories;
pub mod checkers;
pub mod convergence;
pub mod error;
pub mod gen;
pub mod invariants;
pub mod linear;
pub mod model;
pub mod txn;
pub mod verdict;
pub mod witness;

pub use checkers::{Checker, Compose, Evidence, Judgement};
pub use error::CheckError;
pub use verdict::Verdict;
pub use witness::{NoWitness, Witness};
