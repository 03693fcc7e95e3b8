//! The `raft` strategy: every command goes through Raft consensus (openraft) — leader election,
//! log replication, commit on a majority — and is applied in log order by every replica.
//!
//! The pieces:
//! - [`types`]: openraft's type configuration (log entries carry a [`Command`](crate::command::Command));
//! - [`journal`] and [`log_store`]: the durable Raft log (vote, entries, committed id) in
//!   `<data-dir>/raft-log.jsonl`, fsync'd before a vote is cast or an entry counts as stored;
//! - [`state_machine`]: the booking [`StateMachine`](crate::machine::StateMachine) as Raft applies
//!   entries to it, with snapshots in `<data-dir>/raft-snapshot.json`;
//! - [`network`]: Raft RPCs as `peer` requests over each node's one listen address;
//! - [`proposer`]: the leader's batching of concurrent commands into one log entry;
//! - [`node`]: the [`Replication`] a node runs: writes to the leader (forwarded by followers),
//!   reads at the configured level (linearisable through the leader's read-index unless `one`).
//!
//! Node ids are indexes in `--peers`; every node initialises the same three-member group on its
//! first start (safe in openraft when the membership is identical). Timing: heartbeat 50 ms,
//! election timeout 150-300 ms, so a new leader is elected well under a second after the old one
//! dies.

pub mod journal;
pub mod log_store;
pub mod network;
pub mod node;
pub mod proposer;
pub mod state_machine;
pub mod types;

use super::{NodeContext, Replication};
use crate::error::BookingError;
use log_store::LogStore;
use network::RaftPeers;
use node::RaftNode;
use openraft::{BasicNode, Config, SnapshotPolicy};
use state_machine::StateMachineStore;
use std::collections::BTreeMap;
use std::sync::Arc;
use types::{NodeId, Raft};

/// Log entries between two snapshots; the log before a snapshot is then purged (keeping
/// [`LOGS_KEPT_AFTER_SNAPSHOT`] for slow followers).
pub const SNAPSHOT_EVERY: u64 = 10_000;
/// Entries kept in the log behind the last snapshot.
pub const LOGS_KEPT_AFTER_SNAPSHOT: u64 = 2_000;

/// The openraft configuration of every booking node.
pub fn raft_config() -> Result<Config, BookingError> {
    Config {
        cluster_name: "booking".into(),
        heartbeat_interval: 50,
        election_timeout_min: 150,
        election_timeout_max: 300,
        snapshot_policy: SnapshotPolicy::LogsSinceLast(SNAPSHOT_EVERY),
        max_in_snapshot_log_to_keep: LOGS_KEPT_AFTER_SNAPSHOT,
        ..Config::default()
    }
    .validate()
    .map_err(|e| BookingError::BadRequest(format!("raft configuration: {e}")))
}

fn journal_error(dir: &std::path::Path, source: std::io::Error) -> BookingError {
    BookingError::Journal {
        path: dir.to_path_buf(),
        source,
    }
}

/// Start the raft strategy: open the durable log and the last snapshot from the data directory,
/// start openraft, and initialise the group on a node's very first start.
pub async fn start(ctx: NodeContext) -> Result<Arc<dyn Replication>, BookingError> {
    let config = ctx.config;
    let dir = config.data_dir.clone();
    std::fs::create_dir_all(&dir).map_err(|e| journal_error(&dir, e))?;
    let log_store = LogStore::open(&dir).map_err(|e| journal_error(&dir, e))?;
    let state_machine = StateMachineStore::open(&dir).map_err(|e| journal_error(&dir, e))?;
    let applied = state_machine.applied();
    let peers = Arc::new(ctx.peers);
    let raft = Raft::new(
        config.id as NodeId,
        Arc::new(raft_config()?),
        RaftPeers::new(peers.clone()),
        log_store,
        state_machine,
    )
    .await
    .map_err(|e| BookingError::Strategy {
        message: format!("node {}: raft did not start: {e}", config.id),
        definite: true,
    })?;
    let initialized = raft.is_initialized().await.unwrap_or(true);
    if !initialized {
        let members: BTreeMap<NodeId, BasicNode> = config
            .peers
            .iter()
            .enumerate()
            .map(|(i, addr)| (i as NodeId, BasicNode::new(addr.to_string())))
            .collect();
        if let Err(e) = raft.initialize(members).await {
            tracing::info!(node = config.id, "raft group already initialised: {e}");
        }
    }
    Ok(Arc::new(RaftNode::new(
        config.id,
        config.read,
        raft,
        applied,
        peers,
    )))
}
