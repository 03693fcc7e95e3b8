//! How a client call to a real system failed, classified where it is seen.
//!
//! A failure is *definite* when the call certainly had no effect (the connection was refused before
//! anything was sent, or the server refused the request before applying it): the history records
//! it as `fail`. Every other failure is *indefinite* (a timeout after sending, a connection lost
//! mid-call, a server error that may come after the write was proposed): the history records it as
//! `info`, because the call may still take effect. When in doubt, indefinite.

use std::fmt;

/// What went wrong with a client call; each kind is definite or indefinite by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The connection could not be made, so nothing was sent. Definite.
    Unreachable,
    /// The server refused the request without applying it (a read-only replica, a malformed
    /// request, too many requests). Definite.
    Rejected,
    /// No answer within the client-side timeout after the request was sent. Indefinite.
    TimedOut,
    /// The connection broke after the request may have been sent. Indefinite.
    ConnectionLost,
    /// The server answered with an error that does not say whether the request was applied
    /// (a Raft proposal that timed out, a leader change). Indefinite.
    ServerError,
    /// The write was applied on the primary but not confirmed by the replicas asked for. Indefinite.
    Unreplicated,
    /// The answer could not be understood. Indefinite.
    BadResponse,
}

impl FailureKind {
    /// True when the call certainly had no effect (recorded `fail`); false for `info`.
    pub fn is_definite(self) -> bool {
        matches!(self, FailureKind::Unreachable | FailureKind::Rejected)
    }

    /// The short name recorded in a history's `error` field.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Unreachable => "unreachable",
            FailureKind::Rejected => "rejected",
            FailureKind::TimedOut => "timed-out",
            FailureKind::ConnectionLost => "connection-lost",
            FailureKind::ServerError => "server-error",
            FailureKind::Unreplicated => "unreplicated",
            FailureKind::BadResponse => "bad-response",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed client call to a system under test: which node, what kind of failure, and the detail
/// the client library or server gave.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{node}: {kind} ({certainty}): {detail}", certainty = if kind.is_definite() { "definite" } else { "indefinite" })]
pub struct ClientError {
    /// The node the call went to (its name in the cluster, e.g. `e2` or `r1`).
    pub node: String,
    /// What went wrong; decides definite versus indefinite.
    pub kind: FailureKind,
    /// The client library's or server's own words.
    pub detail: String,
}

impl ClientError {
    /// A failure of `kind` on `node`.
    pub fn new(node: &str, kind: FailureKind, detail: impl Into<String>) -> ClientError {
        ClientError {
            node: node.to_string(),
            kind,
            detail: detail.into(),
        }
    }

    /// True when the call certainly had no effect: record it as `fail`, else as `info`.
    pub fn is_definite(&self) -> bool {
        self.kind.is_definite()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreachable_and_rejected_are_definite() {
        let all = [
            FailureKind::Unreachable,
            FailureKind::Rejected,
            FailureKind::TimedOut,
            FailureKind::ConnectionLost,
            FailureKind::ServerError,
            FailureKind::Unreplicated,
            FailureKind::BadResponse,
        ];
        let definite: Vec<_> = all.into_iter().filter(|k| k.is_definite()).collect();
        assert_eq!(definite, [FailureKind::Unreachable, FailureKind::Rejected]);
    }

    #[test]
    fn an_error_names_its_node_kind_and_certainty() {
        let e = ClientError::new("e2", FailureKind::TimedOut, "no answer in 1s");
        assert_eq!(e.to_string(), "e2: timed-out (indefinite): no answer in 1s");
    }
}
