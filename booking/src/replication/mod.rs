//! `Replication`: how a node coordinates writes and reads with its peers. One strategy is chosen
//! per cluster at start (`--replication`); every node runs the same one.
//!
//! - [`primary`]: `sync` (node 0 orders every write; the coordinator then writes each replica in
//!   turn and acknowledges after the last) and `async` (node 0 applies and acknowledges; backups
//!   pull its changes in the background);
//! - [`gossip`]: any node applies and acknowledges; periodic anti-entropy spreads changes;
//!   conflicts resolved by last-writer-wins on wall clocks or kept with version vectors;
//! - [`log`]: writes go through a NATS JetStream stream that every replica consumes in order;
//! - [`raft`]: consensus with openraft.
//!
//! The strategies that ship state (sync, async, gossip) share a [`replica::Replica`]: the durable
//! store, the peer links, quorum reads and pull-based catch-up.

pub mod gossip;
pub mod log;
pub mod messages;
pub mod peers;
pub mod primary;
pub mod raft;
pub mod replica;

use crate::command::{Command, Query, Response};
use crate::config::{NodeConfig, ReplicationKind};
use crate::error::BookingError;
use crate::protocol::Status;
pub use peers::Peers;
use serde_json::Value;
use std::sync::Arc;

/// A replication strategy running on one node.
#[async_trait::async_trait]
pub trait Replication: Send + Sync {
    /// Coordinate a state-changing command received from a client at this node.
    async fn write(&self, cmd: Command) -> Result<Response, BookingError>;
    /// Coordinate a query received from a client at this node, at the configured read level.
    async fn read(&self, q: Query) -> Result<Response, BookingError>;
    /// What this node says about itself.
    fn status(&self) -> Status;
    /// Handle a strategy-defined message from peer node `from` and answer it.
    async fn peer(&self, from: usize, msg: Value) -> Result<Value, BookingError>;
}

/// What a strategy is started with.
#[derive(Debug)]
pub struct NodeContext {
    /// The node's configuration.
    pub config: NodeConfig,
    /// Links to the other nodes (peer messages travel over the same listen address as clients).
    pub peers: Peers,
}

/// Start the strategy named in `ctx.config`: open its state from the data directory and spawn
/// its background tasks. Must be called inside a tokio runtime.
pub async fn start(ctx: NodeContext) -> Result<Arc<dyn Replication>, BookingError> {
    match ctx.config.replication {
        ReplicationKind::Sync | ReplicationKind::Async => primary::start(ctx),
        ReplicationKind::Gossip => gossip::start(ctx),
        ReplicationKind::Raft => raft::start(ctx).await,
        ReplicationKind::Log => log::start(ctx).await,
    }
}
