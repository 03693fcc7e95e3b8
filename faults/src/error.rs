//! The faults crate's one error type: failures of the harness, never entries in a history.

use std::path::PathBuf;

/// A failure of rift itself while applying or undoing a fault (a command that would not run, a
/// signal that could not be sent, a file that could not be written).
///
/// A fault whose precondition is false is not an error: it is recorded as
/// [`Outcome::Skipped`](crate::Outcome::Skipped).
#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    /// A command rift ran to apply a fault failed.
    #[error("`{command}` failed ({status}): {stderr}")]
    Command {
        /// The command line, as one string for messages.
        command: String,
        /// Its exit status, or why it could not be started.
        status: String,
        /// What it printed on stderr (trimmed).
        stderr: String,
    },
    /// A signal could not be sent to a node's process group.
    #[error("cannot send {signal} to process group {pgid} of node {node}: {source}")]
    Signal {
        /// The node.
        node: crate::NodeId,
        /// The process group id.
        pgid: i32,
        /// The signal's name.
        signal: &'static str,
        /// The system's error.
        source: nix::Error,
    },
    /// A file rift manages (a faketime control file, a state file) could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    File {
        /// What rift tried to do ("write", "read", "rename").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A network namespace could not be entered.
    #[error("cannot enter network namespace {namespace}: {source}")]
    Namespace {
        /// The namespace's name.
        namespace: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// A fault named a node the cluster does not have.
    #[error("node {node} does not exist (the cluster has {count} nodes)")]
    NoSuchNode {
        /// The node named.
        node: crate::NodeId,
        /// How many nodes the cluster has.
        count: usize,
    },
    /// A mechanism implemented outside this crate (a cluster backend) failed.
    #[error("{what}: {source}")]
    Backend {
        /// What the backend was doing.
        what: String,
        /// The backend's own error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A host (another machine, reached over SSH) could not do what a fault needs.
    #[error("host {host}: cannot {what}: {message}")]
    Host {
        /// The host, as rift names it.
        host: String,
        /// What rift asked of it.
        what: String,
        /// What went wrong, in the host's or the SSH client's words.
        message: String,
    },
}
