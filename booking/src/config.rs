//! `NodeConfig`: the validated configuration of one booking node, built from the command line.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// How writes reach the replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicationKind {
    /// Node 0 orders each write, then the coordinator writes every replica in turn and
    /// acknowledges after the last.
    Sync,
    /// The primary (node 0) applies and acknowledges; backups catch up in the background.
    Async,
    /// Writes are published to a NATS JetStream stream; every replica consumes it in order.
    Log,
    /// Raft consensus (openraft).
    Raft,
    /// Any node accepts writes; periodic anti-entropy spreads them.
    Gossip,
}

/// Which replicas a read consults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadLevel {
    /// The coordinating node's own copy.
    One,
    /// A majority of replicas; versions compared, newest returned.
    Majority,
    /// Every replica; versions compared, newest returned.
    All,
}

/// How gossip resolves concurrent writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictMode {
    /// Last writer wins, by the writing node's wall clock.
    Lww,
    /// Version vectors: concurrent writes are kept side by side.
    Vv,
}

macro_rules! display_as_value_enum {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let v = self.to_possible_value().expect("no skipped variants");
                f.write_str(v.get_name())
            }
        }
    )*};
}
display_as_value_enum!(ReplicationKind, ReadLevel, ConflictMode);

/// Everything a node needs to start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeConfig {
    /// This node's id: its index in `peers`.
    pub id: usize,
    /// Address clients and peers connect to.
    pub listen: SocketAddr,
    /// Every replica's address in id order, this node's included.
    pub peers: Vec<SocketAddr>,
    /// Directory of this node's journal.
    pub data_dir: PathBuf,
    /// Replication strategy.
    pub replication: ReplicationKind,
    /// Read level.
    pub read: ReadLevel,
    /// Conflict resolution (gossip).
    pub conflict: ConflictMode,
    /// NATS server URLs (log).
    pub nats: Vec<String>,
}

impl NodeConfig {
    /// Number of replicas.
    pub fn cluster_size(&self) -> usize {
        self.peers.len()
    }

    /// How many replicas a read at this node's read level consults (this node included).
    pub fn read_quorum(&self) -> usize {
        match self.read {
            ReadLevel::One => 1,
            ReadLevel::Majority => self.cluster_size() / 2 + 1,
            ReadLevel::All => self.cluster_size(),
        }
    }
}
