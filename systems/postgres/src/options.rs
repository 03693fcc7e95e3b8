//! PostgreSQL's options: the isolation level transactions run at, and where read-only
//! transactions go.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The isolation level of every transaction (PostgreSQL's three distinct ones; it runs read
/// uncommitted as read committed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isolation {
    /// Each statement sees what was committed before it began.
    ReadCommitted,
    /// Snapshot isolation: the transaction sees the snapshot of its first statement.
    RepeatableRead,
    /// Serializable snapshot isolation (SSI).
    #[default]
    Serializable,
}

impl Isolation {
    /// The level as `BEGIN ISOLATION LEVEL` names it.
    pub fn sql(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "READ COMMITTED",
            Isolation::RepeatableRead => "REPEATABLE READ",
            Isolation::Serializable => "SERIALIZABLE",
        }
    }

    /// The level a read-only transaction on a hot standby runs at: standbys refuse
    /// serializable, and PostgreSQL's documentation names repeatable read as the level to use
    /// there instead.
    pub fn on_standby(self) -> Isolation {
        match self {
            Isolation::Serializable => Isolation::RepeatableRead,
            other => other,
        }
    }
}

impl fmt::Display for Isolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Isolation::ReadCommitted => "read-committed",
            Isolation::RepeatableRead => "repeatable-read",
            Isolation::Serializable => "serializable",
        })
    }
}

/// Where a client's read-only transactions go (transactions that write always go to the
/// primary).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reads {
    /// To the primary.
    #[default]
    Primary,
    /// To the client's own node, which may be a hot standby, behind the primary.
    OwnNode,
}

impl fmt::Display for Reads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reads::Primary => "primary",
            Reads::OwnNode => "own-node",
        })
    }
}

/// PostgreSQL's options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostgresOptions {
    /// The isolation level of every transaction.
    pub isolation: Isolation,
    /// Where read-only transactions go.
    pub reads: Reads,
}
