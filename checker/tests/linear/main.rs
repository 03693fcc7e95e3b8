//! Integration tests of the linearizability checker.
//!
//! - `corpus`: every history of the Knossos and Porcupine corpora gets its expected verdict.
//! - `histories`: hand-built histories for each model, semantics of info and fail.
//! - `agreement`: the search, the fast path and a brute-force reference agree on random histories.
//! - `shrinking`: shrunk histories are invalid and 1-minimal.

mod agreement;
mod corpus;
mod histories;
mod notation;
mod shrinking;
