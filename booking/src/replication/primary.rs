//! The `sync` and `async` strategies: node 0 is the primary and orders every write.
//!
//! A client may send a write to any node (the coordinator). The coordinator forwards the command
//! to the primary, which executes it with the next sequence number as version and journals it.
//! - `async`: the primary's answer is acknowledged at once; backups pull the primary's changes
//!   continuously in the background (long polling), so they lag and may miss writes while down
//!   (they catch up when back).
//! - `sync`: the coordinator then writes the changed cells to node 1, then node 2, ... (each
//!   journals them with fsync before answering) and acknowledges after the last. A replica that
//!   does not answer makes the write fail with an indefinite error (the primary has applied it),
//!   never a false acknowledgement. Backups also pull from the primary, to repair writes that
//!   failed half-way.
//!
//! There is no failover: while node 0 is down, writes fail (definitely when node 0 refuses the
//! connection, indefinitely when it stops answering).

use super::messages::{PeerAnswer, PeerMsg};
use super::replica::{decode, decode_msg, Replica};
use super::{NodeContext, Replication};
use crate::cell::{Resolution, Version};
use crate::command::{Command, Query, Response};
use crate::config::ReplicationKind;
use crate::error::BookingError;
use crate::journal::Durability;
use crate::machine::Update;
use crate::protocol::Status;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The primary's id.
pub const PRIMARY: usize = 0;

/// How long a backup's pull waits at the primary for a change.
const PULL_WAIT: Duration = Duration::from_millis(200);
/// How long a backup waits before pulling again after a failure.
const PULL_RETRY: Duration = Duration::from_millis(50);

/// A node running `sync` or `async`.
#[derive(Debug)]
pub struct Primary {
    replica: Arc<Replica>,
    wait_for_backups: bool,
}

/// Start `sync` or `async` (as named in the config).
pub fn start(ctx: NodeContext) -> Result<Arc<dyn Replication>, BookingError> {
    let wait_for_backups = ctx.config.replication == ReplicationKind::Sync;
    let durability = if wait_for_backups {
        Durability::Fsync
    } else {
        Durability::Written
    };
    let replica = Replica::open(ctx, Resolution::LastWriterWins, durability)?;
    if replica.id() != PRIMARY {
        tokio::spawn(replica.clone().pull_loop(PRIMARY, PULL_RETRY, PULL_WAIT));
    }
    Ok(Arc::new(Primary {
        replica,
        wait_for_backups,
    }))
}

impl Primary {
    /// Execute `cmd` here, as the primary.
    fn order(&self, cmd: &Command) -> Result<(Response, Vec<Update>), BookingError> {
        self.replica.with_store(|s| {
            let version = Version {
                stamp: s.machine().next_stamp(),
                node: PRIMARY as u32,
            };
            let applied = s.execute(cmd, version)?;
            Ok((applied.response, applied.updates))
        })
    }

    /// Have the primary execute `cmd`, here or remotely.
    async fn forward(&self, cmd: Command) -> Result<(Response, Vec<Update>), BookingError> {
        if self.replica.id() == PRIMARY {
            return self.order(&cmd);
        }
        let with_updates = self.wait_for_backups;
        let msg = serde_json::to_value(PeerMsg::Forward { cmd, with_updates })
            .expect("peer messages serialise");
        match decode(PRIMARY, self.replica.peers.send(PRIMARY, msg).await?)? {
            PeerAnswer::Forwarded { response, updates } => Ok((response, updates)),
            other => Err(BookingError::Remote {
                node: PRIMARY,
                message: format!("unexpected answer to forward: {other:?}"),
                definite: false,
            }),
        }
    }

    /// Write `updates` to every backup in id order, waiting for each.
    async fn write_backups(&self, updates: Vec<Update>) -> Result<(), BookingError> {
        let msg = serde_json::to_value(PeerMsg::Merge {
            updates: updates.clone(),
        })
        .expect("peer messages serialise");
        for node in (0..self.replica.peers.cluster_size()).filter(|&n| n != PRIMARY) {
            if node == self.replica.id() {
                self.replica.with_store(|s| s.merge(&updates))?;
                continue;
            }
            let partial = |e: BookingError| BookingError::Partial {
                node,
                reason: e.to_string(),
            };
            match decode(
                node,
                self.replica
                    .peers
                    .send(node, msg.clone())
                    .await
                    .map_err(partial)?,
            )
            .map_err(partial)?
            {
                PeerAnswer::Merged { .. } => {}
                other => {
                    return Err(BookingError::Partial {
                        node,
                        reason: format!("unexpected answer to merge: {other:?}"),
                    })
                }
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Replication for Primary {
    async fn write(&self, cmd: Command) -> Result<Response, BookingError> {
        let (response, updates) = self.forward(cmd).await?;
        if self.wait_for_backups && !updates.is_empty() {
            self.write_backups(updates).await?;
        }
        Ok(response)
    }

    async fn read(&self, q: Query) -> Result<Response, BookingError> {
        self.replica.read(q).await
    }

    fn status(&self) -> Status {
        let role = if self.replica.id() == PRIMARY {
            "primary"
        } else {
            "backup"
        };
        self.replica.status(role, Some(PRIMARY))
    }

    async fn peer(&self, from: usize, msg: Value) -> Result<Value, BookingError> {
        let answer = match decode_msg(from, msg)? {
            PeerMsg::Forward { cmd, with_updates } if self.replica.id() == PRIMARY => {
                let (response, mut updates) = self.order(&cmd)?;
                if !with_updates {
                    updates.clear();
                }
                PeerAnswer::Forwarded { response, updates }
            }
            other => self.replica.answer(from, other).await?,
        };
        Ok(serde_json::to_value(answer).expect("peer answers serialise"))
    }
}
