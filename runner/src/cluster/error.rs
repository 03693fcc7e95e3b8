//! The cluster's error type: failures of rift while starting, faulting or tearing down a cluster.

use faults::NodeId;
use std::path::PathBuf;

/// A failure of the harness, never an entry in a history.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A mechanism failed (a command, a signal, a file).
    #[error(transparent)]
    Fault(#[from] faults::FaultError),
    /// A file or directory of the run could not be made, written or read.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What rift tried to do.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A node's process could not be started.
    #[error("cannot start node {node} (`{command}`): {source}")]
    Spawn {
        /// The node.
        node: NodeId,
        /// Its command line.
        command: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// A node did not become ready in time.
    #[error("node {node} was not ready after {waited_ms} ms: {last} (its log: {log})")]
    NotReady {
        /// The node.
        node: NodeId,
        /// How long rift waited.
        waited_ms: u128,
        /// The last readiness probe's answer.
        last: String,
        /// The node's log file.
        log: PathBuf,
    },
    /// A node exited while rift waited for it to become ready.
    #[error("node {node} exited with {status} before it was ready (its log: {log})")]
    Exited {
        /// The node.
        node: NodeId,
        /// Its exit status.
        status: String,
        /// The node's log file.
        log: PathBuf,
    },
    /// The configuration cannot be used.
    #[error("invalid cluster configuration: {0}")]
    Config(String),
    /// A program the cluster needs was not found.
    #[error("cannot find {program}: {searched}")]
    NotFound {
        /// The program.
        program: String,
        /// Where rift looked.
        searched: String,
    },
    /// A persisted run state could not be read.
    #[error("cannot read run state {path}: {message}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
}

impl ClusterError {
    /// An I/O error on `path`.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| ClusterError::Io {
            action,
            path,
            source,
        }
    }
}

impl From<ClusterError> for faults::FaultError {
    fn from(e: ClusterError) -> faults::FaultError {
        match e {
            ClusterError::Fault(f) => f,
            other => faults::FaultError::Backend {
                what: "cluster".into(),
                source: Box::new(other),
            },
        }
    }
}
