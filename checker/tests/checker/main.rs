//! Integration tests of the checker (one binary).
//!
//! Module map:
//! - linearizability: `corpus` (every history of the Knossos and Porcupine corpora gets its
//!   expected verdict), `linear_histories` (hand-built histories for each model, semantics of
//!   info and fail), `agreement` (the search, the fast path and a brute-force reference agree on
//!   random histories), `notation` (the small history notation those tests write);
//! - `witnesses`: invalid verdicts shrunk to the same anomaly on the same ops, grounded;
//! - `convergence`: final reads after the heal, converged and complete verdicts;
//! - `invariants`: set, counter and booking invariants with their near misses;
//! - `bank`: the bank's invariants, each violation and its near miss, simulated banks;
//! - transactions: `txn` (each anomaly class and its near miss, in Elle's notation),
//!   `txn_corpus` (Elle's own histories), `txn_sim` (simulated stores with known bugs),
//!   `txn_elle` (parity with Elle: G-nonadjacent, future reads, dirty updates, the empty graph,
//!   the table, the options that change what is inferred).

mod agreement;
mod bank;
mod categories;
mod convergence;
mod corpus;
mod invariants;
mod linear_histories;
mod notation;
mod txn;
mod txn_corpus;
mod txn_elle;
mod txn_sim;
mod witnesses;
