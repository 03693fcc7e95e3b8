//! rift's checkers: pure functions from a history to a verdict.
//!
//! The nouns this crate owns:
//! - a [`Verdict`] is Valid, Invalid or Unknown (with the reason), composed with Invalid > Unknown >
//!   Valid;
//! - a model is a pure step function over a state (a register, a mutex, a booking ledger, ...);
//! - a checker takes a `&histories::History` (or its calls) and returns a verdict with an
//!   explanation that is data first and rendered in words by `Display`.
//!
//! Nothing here does I/O or knows of tokio: parsing lives in `histories`, running in `runner`.

pub mod convergence;
pub mod error;
pub mod invariants;
pub mod linear;
pub mod model;
pub mod txn;
pub mod verdict;

pub use error::CheckError;
pub use verdict::Verdict;
