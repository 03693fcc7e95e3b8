//! The seed's hotel-room booking service, rift's built-in system under test (`booking-node`).
//!
//! The nouns this crate owns:
//! - a [`Command`](command::Command) changes state (book, cancel, write, cas, txn) and a
//!   [`Query`](command::Query) reads it (available, read); each gets a
//!   [`Response`](command::Response);
//! - the [`StateMachine`](machine::StateMachine) holds rooms, registers and append-lists as
//!   versioned [`Cell`](cell::Cell)s and executes commands deterministically; the
//!   [`Store`](store::Store) keeps it durable with an append-only [`Journal`](journal::Journal);
//! - a [`Replication`](replication::Replication) strategy (sync, async, log, raft, gossip)
//!   coordinates writes and reads across the replicas of a cluster;
//! - the [`server`] speaks the newline-delimited JSON [`protocol`] on one TCP address, for
//!   clients and peers alike; the [`Client`] is its Rust client;
//! - [`testing`] starts real `booking-node` clusters on loopback for tests and benchmarks;
//! - every failure, in a node, a client or a test cluster, is a [`BookingError`], which says
//!   whether the operation certainly did not happen (definite) or may have (indefinite).
//!
//! Data flows: client request -> server -> replication strategy -> store (journal, then state
//! machine) on the replicas it involves -> response.

#![warn(missing_docs)]

pub mod cell;
pub mod client;
pub mod clock;
pub mod command;
pub mod config;
pub mod error;
pub mod journal;
pub mod machine;
pub mod protocol;
pub mod replication;
pub mod server;
pub mod store;
pub mod testing;

pub use client::Client;
pub use error::BookingError;
