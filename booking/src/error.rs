//! `BookingError`: everything that can go wrong in the booking crate — inside a node, in a
//! client talking to a node, and in the test clusters of [`testing`](crate::testing) — each
//! saying whether the operation definitely did not happen (definite) or may have (indefinite).
//!
//! Nodes put the node-side variants on the wire ([`BookingError::kind`],
//! [`BookingError::is_definite`], the message); a client's errors name the address it talked to,
//! and a node relaying one names the peer instead (see `replication::peers::peer_error`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

/// An error of the booking crate. [`BookingError::is_definite`] tells whether the operation
/// certainly had no effect; when in doubt it says indefinite.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    // Seen by a node, and sent to its client on the wire.
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
    /// A peer answered with an error, or the exchange with it failed; `definite` is the peer's
    /// own classification (or that of the failure).
    #[error("node {node} answered: {message}")]
    Remote {
        /// Id of the peer.
        node: usize,
        /// The peer's error message.
        message: String,
        /// Whether the operation definitely did not happen.
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
        /// The journal file (or data directory).
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

    // Seen by a client of a node.
    /// No connection could be made; the request was not sent.
    #[error("cannot connect to {addr}: {reason}")]
    Connect {
        /// Server address.
        addr: SocketAddr,
        /// The OS error.
        reason: String,
    },
    /// No reply within the timeout; the request may have taken effect.
    #[error("no reply from {addr} within {millis} ms")]
    NoReply {
        /// Server address.
        addr: SocketAddr,
        /// The timeout.
        millis: u64,
    },
    /// The connection broke after the request was sent; it may have taken effect.
    #[error("connection to {addr} lost: {reason}")]
    ConnectionLost {
        /// Server address.
        addr: SocketAddr,
        /// What happened.
        reason: String,
    },
    /// The request is too large to send; it was not sent.
    #[error("request to {addr} of {len} bytes exceeds the {limit}-byte line limit")]
    TooLarge {
        /// Server address.
        addr: SocketAddr,
        /// Encoded request length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The server answered with an error.
    #[error("{addr} answered {kind}: {message}")]
    Server {
        /// Server address.
        addr: SocketAddr,
        /// The server's error kind.
        kind: String,
        /// The server's message.
        message: String,
        /// The server's classification.
        definite: bool,
    },
    /// The reply did not have the expected shape; the request may have taken effect.
    #[error("unexpected reply from {addr}: {reason}")]
    Protocol {
        /// Server address.
        addr: SocketAddr,
        /// What was wrong.
        reason: String,
    },

    // Seen by a test cluster (nodes and NATS servers started as child processes).
    /// A `booking-node` process exited before it answered `status`.
    #[error("node {node} exited with {status} before becoming ready; its log:\n{log}")]
    NodeExited {
        /// The node's id.
        node: usize,
        /// How it exited.
        status: ExitStatus,
        /// Its stderr log.
        log: String,
    },
    /// A `booking-node` process did not answer `status` in time.
    #[error("node {node} at {addr} not ready within {waited:?}")]
    NodeNotReady {
        /// The node's id.
        node: usize,
        /// Its address.
        addr: SocketAddr,
        /// How long it was waited for.
        waited: Duration,
    },
    /// A `nats-server` process exited before JetStream answered through it.
    #[error("nats-server {server} exited with {status}; its log:\n{log}")]
    NatsExited {
        /// The server's index in its cluster.
        server: usize,
        /// How it exited.
        status: ExitStatus,
        /// Its log.
        log: String,
    },
    /// JetStream did not answer through a `nats-server` in time.
    #[error("JetStream not ready on {url} within {waited:?}")]
    NatsNotReady {
        /// The server's client URL.
        url: String,
        /// How long it was waited for.
        waited: Duration,
    },
    /// An OS call setting up or tearing down a test cluster failed.
    #[error("{what}: {source}")]
    Harness {
        /// What was being done, naming the node or server.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl BookingError {
    /// True if the operation certainly did not take effect.
    pub fn is_definite(&self) -> bool {
        use BookingError::*;
        match self {
            BadRequest(_)
            | LineTooLong { .. }
            | Unavailable { .. }
            | CorruptJournal { .. }
            | Connect { .. }
            | TooLarge { .. } => true,
            Remote { definite, .. } | Strategy { definite, .. } | Server { definite, .. } => {
                *definite
            }
            Timeout { .. }
            | Partial { .. }
            | Journal { .. }
            | NoReply { .. }
            | ConnectionLost { .. }
            | Protocol { .. }
            | NodeExited { .. }
            | NodeNotReady { .. }
            | NatsExited { .. }
            | NatsNotReady { .. }
            | Harness { .. } => false,
        }
    }

    /// A short machine-readable name of the error, used as `kind` on the wire; a server's
    /// error keeps the kind the server gave it.
    pub fn kind(&self) -> &str {
        use BookingError::*;
        match self {
            BadRequest(_) => "bad_request",
            LineTooLong { .. } => "line_too_long",
            Unavailable { .. } => "unavailable",
            Timeout { .. } => "timeout",
            Partial { .. } => "partial",
            Remote { .. } => "remote",
            Strategy { .. } => "strategy",
            Journal { .. } => "journal",
            CorruptJournal { .. } => "corrupt_journal",
            Connect { .. } => "connect",
            NoReply { .. } => "no_reply",
            ConnectionLost { .. } => "connection_lost",
            TooLarge { .. } => "too_large",
            Server { kind, .. } => kind,
            Protocol { .. } => "protocol",
            NodeExited { .. } => "node_exited",
            NodeNotReady { .. } => "node_not_ready",
            NatsExited { .. } => "nats_exited",
            NatsNotReady { .. } => "nats_not_ready",
            Harness { .. } => "harness",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> SocketAddr {
        "127.0.0.1:7001".parse().unwrap()
    }

    #[test]
    fn a_client_error_is_definite_only_when_nothing_was_sent_or_the_server_said_so() {
        let server = |definite| BookingError::Server {
            addr: addr(),
            kind: "strategy".into(),
            message: "node 1 is not the leader".into(),
            definite,
        };
        let cases = [
            (
                BookingError::Connect {
                    addr: addr(),
                    reason: "refused".into(),
                },
                true,
            ),
            (
                BookingError::TooLarge {
                    addr: addr(),
                    len: 2,
                    limit: 1,
                },
                true,
            ),
            (server(true), true),
            (server(false), false),
            (
                BookingError::NoReply {
                    addr: addr(),
                    millis: 5,
                },
                false,
            ),
            (
                BookingError::ConnectionLost {
                    addr: addr(),
                    reason: "reset".into(),
                },
                false,
            ),
            (
                BookingError::Protocol {
                    addr: addr(),
                    reason: "no result".into(),
                },
                false,
            ),
        ];
        for (e, definite) in cases {
            assert_eq!(e.is_definite(), definite, "{e}");
            assert!(e.to_string().contains("127.0.0.1:7001"), "{e}");
        }
    }

    #[test]
    fn a_node_error_is_definite_only_when_the_operation_cannot_have_happened() {
        let cases = [
            (BookingError::BadRequest("x".into()), true),
            (BookingError::LineTooLong { limit: 1 }, true),
            (
                BookingError::Unavailable {
                    node: 2,
                    reason: "refused".into(),
                },
                true,
            ),
            (BookingError::Timeout { node: 2, millis: 5 }, false),
            (
                BookingError::Partial {
                    node: 2,
                    reason: "x".into(),
                },
                false,
            ),
            (
                BookingError::Journal {
                    path: "/j".into(),
                    source: std::io::Error::other("disk full"),
                },
                false,
            ),
            (
                BookingError::CorruptJournal {
                    path: "/j".into(),
                    line: 3,
                    reason: "x".into(),
                },
                true,
            ),
        ];
        for (e, definite) in cases {
            assert_eq!(e.is_definite(), definite, "{e}");
        }
    }

    #[test]
    fn a_relayed_server_error_keeps_its_kind() {
        let e = BookingError::Server {
            addr: addr(),
            kind: "partial".into(),
            message: "m".into(),
            definite: false,
        };
        assert_eq!(e.kind(), "partial");
        assert_eq!(e.to_string(), "127.0.0.1:7001 answered partial: m");
    }
}
