//! `NodeError`: everything that can go wrong inside a booking node, each saying whether the
//! operation definitely did not happen (definite) or may have (indefinite).

use std::path::PathBuf;

/// An error of a booking node. [`NodeError::is_definite`] tells a client whether the operation
/// certainly had no effect.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The request could not be understood; nothing was done.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request line exceeded the size limit; nothing was done.
    #[error("request line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// A node needed for the operation could not be reached before anything was sent to it.
    #[error("node {node} unavailable: {reason}")]
    Unavailable {
        /// Id of the node that could not be reached.
        node: usize,
        /// What happened.
        reason: String,
    },
    /// A node did not answer in time; the operation may or may not have happened.
    #[error("node {node} did not answer within {millis} ms")]
    Timeout {
        /// Id of the node that did not answer.
        node: usize,
        /// How long the node was waited for.
        millis: u64,
    },
    /// The write was applied on some replicas but could not be completed on `node`.
    #[error("write applied on some replicas but not on node {node}: {reason}")]
    Partial {
        /// Id of the replica the write could not reach.
        node: usize,
        /// What happened.
        reason: String,
    },
    /// A peer answered with an error; `definite` is the peer's own classification.
    #[error("node {node} answered: {message}")]
    Remote {
        /// Id of the answering node.
        node: usize,
        /// The peer's error message.
        message: String,
        /// Whether the peer said the operation definitely did not happen.
        definite: bool,
    },
    /// A strategy-specific refusal or failure (e.g. "not the leader").
    #[error("{message}")]
    Strategy {
        /// What happened, with the ids involved.
        message: String,
        /// Whether the operation definitely did not happen.
        definite: bool,
    },
    /// Reading or writing the journal failed.
    #[error("journal {path}: {source}")]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A complete journal line could not be parsed: the data directory is damaged.
    #[error("journal {path} line {line}: {reason}")]
    CorruptJournal {
        /// The journal file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        reason: String,
    },
    /// The chosen replication strategy is not available in this build.
    #[error("replication strategy {0:?} is not built yet")]
    NotBuilt(String),
}

impl NodeError {
    /// True if the operation certainly did not take effect.
    pub fn is_definite(&self) -> bool {
        match self {
            NodeError::BadRequest(_)
            | NodeError::LineTooLong { .. }
            | NodeError::Unavailable { .. }
            | NodeError::NotBuilt(_)
            | NodeError::CorruptJournal { .. } => true,
            NodeError::Remote { definite, .. } | NodeError::Strategy { definite, .. } => *definite,
            NodeError::Timeout { .. } | NodeError::Partial { .. } | NodeError::Journal { .. } => {
                false
            }
        }
    }

    /// A short machine-readable name of the error, used as `kind` on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            NodeError::BadRequest(_) => "bad_request",
            NodeError::LineTooLong { .. } => "line_too_long",
            NodeError::Unavailable { .. } => "unavailable",
            NodeError::Timeout { .. } => "timeout",
            NodeError::Partial { .. } => "partial",
            NodeError::Remote { .. } => "remote",
            NodeError::Strategy { .. } => "strategy",
            NodeError::Journal { .. } => "journal",
            NodeError::CorruptJournal { .. } => "corrupt_journal",
            NodeError::NotBuilt(_) => "not_built",
        }
    }
}
