//! Real third-party systems under test: etcd (Raft, linearizable by default) and Redis
//! (asynchronous replication with Sentinel failover).
//!
//! For each system, in its own module: the nodes' command lines (`node`), an
//! [`Adapter`](crate::adapter::Adapter) that tells the cluster how to start, probe and find the
//! primary of node `i` (`adapter`), a client whose failed calls are classified where they are seen
//! as definite (`fail`) or indefinite (`info`, see [`ClientError`]), and a driver that performs a
//! workload's invocations with the client and returns their completions (`driver`).
//!
//! Data flows: config -> adapter -> cluster (real processes in namespaces) -> driver + client ->
//! completions -> history -> checker.

pub mod completion;
pub mod error;
pub mod etcd;
pub mod redis;

pub use error::{ClientError, FailureKind};

use std::path::PathBuf;

/// How to start one node: a program, its arguments and extra environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCommand {
    /// The program (a path, or a name looked up on the PATH).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}
