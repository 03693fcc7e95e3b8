//! The `gossip` strategy: any node executes a write against its own copy, journals it and
//! acknowledges; every node pulls the changes of every other node periodically (anti-entropy).
//!
//! Versions are the coordinating node's wall clock in microseconds (read through libc, so
//! libfaketime skews them). With `--conflict lww` the highest version wins when copies merge: a
//! concurrent booking, or a write from a node whose clock is behind, is silently lost. With
//! `--conflict vv` cells carry version vectors and concurrent writes are all kept: a room booked
//! concurrently on two nodes reads as held by both guests (`holders` lists every one of them)
//! until a later cancel that has seen them resolves it.

use super::messages::PeerAnswer;
use super::replica::{decode_msg, Replica};
use super::{NodeContext, Replication};
use crate::cell::{Resolution, Version};
use crate::clock::wall_clock_micros;
use crate::command::{Command, Query, Response};
use crate::config::ConflictMode;
use crate::error::BookingError;
use crate::journal::Durability;
use crate::protocol::Status;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How often each node pulls every other node's changes.
pub const ANTI_ENTROPY_INTERVAL: Duration = Duration::from_millis(100);

/// A node running `gossip`.
#[derive(Debug)]
pub struct Gossip {
    replica: Arc<Replica>,
}

/// Start `gossip`.
pub fn start(ctx: NodeContext) -> Result<Arc<dyn Replication>, BookingError> {
    let resolution = match ctx.config.conflict {
        ConflictMode::Lww => Resolution::LastWriterWins,
        ConflictMode::Vv => Resolution::VersionVectors,
    };
    let replica = Replica::open(ctx, resolution, Durability::Written)?;
    for source in replica.peers.others().collect::<Vec<_>>() {
        tokio::spawn(
            replica
                .clone()
                .pull_loop(source, ANTI_ENTROPY_INTERVAL, Duration::ZERO),
        );
    }
    Ok(Arc::new(Gossip { replica }))
}

#[async_trait::async_trait]
impl Replication for Gossip {
    async fn write(&self, cmd: Command) -> Result<Response, BookingError> {
        let node = self.replica.id() as u32;
        self.replica.with_store(|s| {
            let version = Version {
                stamp: wall_clock_micros(),
                node,
            };
            Ok(s.execute(&cmd, version)?.response)
        })
    }

    async fn read(&self, q: Query) -> Result<Response, BookingError> {
        self.replica.read(q).await
    }

    fn status(&self) -> Status {
        self.replica.status("peer", None)
    }

    async fn peer(&self, from: usize, msg: Value) -> Result<Value, BookingError> {
        let answer: PeerAnswer = self.replica.answer(from, decode_msg(from, msg)?).await?;
        Ok(serde_json::to_value(answer).expect("peer answers serialise"))
    }
}
