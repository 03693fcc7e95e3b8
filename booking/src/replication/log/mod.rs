//! The `log` strategy: every write is published to a NATS JetStream stream and acknowledged once
//! JetStream has stored it; every replica consumes the stream in order and applies it.
//!
//! The pieces:
//! - [`stream`]: the `BOOKING` stream (file storage, replicated on up to three NATS servers) and
//!   the [`Envelope`](stream::Envelope) a command travels in;
//! - [`consumer`]: the loop applying the stream to this node's durable store, exactly once per
//!   message, from the store's own mark;
//! - [`node`]: the [`Replication`] a node runs (publish, wait for the local apply, read at the
//!   configured level);
//! - [`nats_server`]: how to run the NATS servers themselves (command lines for rift's runner,
//!   child processes for tests and benchmarks).
//!
//! The NATS servers are processes of their own next to the replicas (`--nats URL,..`), so kills,
//! pauses and partitions reach the log as well. Durability: the stream is on disk on a majority
//! of the NATS servers before a write is acknowledged; each replica's store is journalled with
//! `write(2)` (it survives SIGKILL; after a machine crash it would be rebuilt from its mark).

pub mod consumer;
pub mod nats_server;
pub mod node;
pub mod stream;

use super::{NodeContext, Replication};
use crate::cell::Resolution;
use crate::clock::wall_clock_micros;
use crate::error::BookingError;
use crate::journal::Durability;
use crate::store::Store;
use consumer::Replica;
use node::LogNode;
use std::sync::Arc;

/// Start the log strategy: open the store, connect to NATS, wait (bounded) for the stream, and
/// spawn the consumer loop.
pub async fn start(ctx: NodeContext) -> Result<Arc<dyn Replication>, BookingError> {
    let config = ctx.config;
    if config.nats.is_empty() {
        return Err(BookingError::BadRequest(
            "--replication log needs --nats <url>".into(),
        ));
    }
    // Every replica runs the machine as node 0, so all hold identical cells.
    let store = Store::open(
        &config.data_dir,
        0,
        Resolution::LastWriterWins,
        Durability::Written,
    )?;
    let incarnation = wall_clock_micros();
    let replica = Arc::new(Replica::new(config.id, incarnation, store));
    let js = stream::connect(&config.nats).await?;
    stream::ensure(&js, config.nats.len(), config.id).await;
    tokio::spawn(consumer::run(
        js.clone(),
        config.nats.len(),
        replica.clone(),
    ));
    Ok(Arc::new(LogNode::new(
        config.id,
        config.read,
        config.read_quorum(),
        js,
        replica,
        ctx.peers,
        incarnation,
    )))
}
