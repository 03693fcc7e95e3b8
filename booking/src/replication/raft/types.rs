//! The openraft type configuration of the booking service and short aliases for its types.

use crate::command::{Command, Response};
use std::io::Cursor;

openraft::declare_raft_types!(
    /// The booking service's Raft types: a log entry carries a batch of [`Command`]s (the
    /// leader proposes the commands that arrived while the previous proposal was in flight as
    /// one entry); applying it yields their [`Response`]s in order (none for Raft's own blank
    /// and membership entries).
    pub TypeConfig:
        D = Vec<Command>,
        R = Vec<Response>,
        NodeId = u64,
        Node = openraft::BasicNode,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

/// A node's id in the Raft group: its index in the `--peers` list.
pub type NodeId = u64;
/// A Raft log id (term, leader and index).
pub type LogId = openraft::LogId<NodeId>;
/// A Raft vote.
pub type Vote = openraft::Vote<NodeId>;
/// A Raft log entry.
pub type Entry = openraft::Entry<TypeConfig>;
/// A Raft node's address book entry.
pub type Node = openraft::BasicNode;
/// The booking service's Raft handle.
pub type Raft = openraft::Raft<TypeConfig>;
