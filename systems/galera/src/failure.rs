//! How a transaction on Galera failed, classified where it is seen.
//!
//! Before `COMMIT` is sent, nothing a transaction did is visible to anyone else and the server
//! rolls it back when it fails or its connection drops: every failure there is definite. At
//! `COMMIT`, only a deadlock or certification conflict (`ER_LOCK_DEADLOCK`, 1213: another
//! transaction on another node wrote the same rows first, and Galera aborted this one) is
//! definite; anything else — a lost connection, a node leaving the primary component — may come
//! after the write set was replicated, and is indefinite.

use runner::system::{ClientError, FailureKind};

/// MariaDB's `ER_LOCK_DEADLOCK`, which Galera also returns for a certification conflict.
pub const ER_LOCK_DEADLOCK: u16 = 1213;

/// Where in a transaction an error came.
#[derive(Debug)]
pub enum Failure {
    /// Before `COMMIT` was sent.
    Before(mysql_async::Error),
    /// While `COMMIT` was in flight.
    AtCommit(mysql_async::Error),
    /// The transaction chose to roll back (a transfer with insufficient funds): definite.
    RolledBack(String),
    /// An answer rift cannot read (a list element that is no number): indefinite.
    Unreadable(String),
}

impl Failure {
    /// The failure as the history records it, on node `node`.
    pub fn classify(&self, node: &str) -> ClientError {
        let (kind, detail) = match self {
            Failure::Before(e) => (FailureKind::Rejected, e.to_string()),
            Failure::AtCommit(e) if server_code(e) == Some(ER_LOCK_DEADLOCK) => {
                (FailureKind::Rejected, e.to_string())
            }
            Failure::AtCommit(e @ mysql_async::Error::Server(_)) => {
                (FailureKind::ServerError, e.to_string())
            }
            Failure::AtCommit(e) => (FailureKind::ConnectionLost, e.to_string()),
            Failure::RolledBack(why) => (FailureKind::Rejected, why.clone()),
            Failure::Unreadable(why) => (FailureKind::BadResponse, why.clone()),
        };
        ClientError::new(node, kind, detail)
    }

    /// Whether the connection can serve the next transaction (a server's error answer leaves it
    /// usable once rolled back; a broken or unread connection does not).
    pub fn keeps_connection(&self) -> bool {
        match self {
            Failure::Before(e) | Failure::AtCommit(e) => server_code(e).is_some(),
            Failure::RolledBack(_) => true,
            Failure::Unreadable(_) => false,
        }
    }
}

/// The server's error code, when the server answered with an error.
fn server_code(e: &mysql_async::Error) -> Option<u16> {
    match e {
        mysql_async::Error::Server(s) => Some(s.code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mysql_async::{Error, ServerError};

    fn server(code: u16) -> Error {
        Error::Server(ServerError {
            code,
            message: "WSREP detected deadlock/conflict and aborted the transaction".into(),
            state: "40001".into(),
        })
    }

    fn lost() -> Error {
        Error::Io(mysql_async::IoError::Io(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset",
        )))
    }

    #[test]
    fn a_certification_conflict_at_commit_is_definite() {
        let e = Failure::AtCommit(server(ER_LOCK_DEADLOCK)).classify("n1");
        assert!(e.is_definite(), "{e}");
        assert!(Failure::AtCommit(server(ER_LOCK_DEADLOCK)).keeps_connection());
    }

    #[test]
    fn a_lost_connection_or_another_error_at_commit_is_indefinite() {
        assert!(!Failure::AtCommit(lost()).classify("n1").is_definite());
        assert!(!Failure::AtCommit(lost()).keeps_connection());
        assert!(!Failure::AtCommit(server(1047)).classify("n1").is_definite());
    }

    #[test]
    fn any_failure_before_commit_is_definite() {
        assert!(Failure::Before(lost()).classify("n1").is_definite());
        assert!(Failure::Before(server(1047)).classify("n1").is_definite());
        assert!(!Failure::Before(lost()).keeps_connection());
    }
}
