//! `Replica`: what the state-shipping strategies (sync, async, gossip) share — the durable store,
//! the peer links, quorum reads that compare versions, and pull-based catch-up.

use super::messages::{PeerAnswer, PeerMsg};
use super::peers::{Peers, PEER_TIMEOUT};
use super::NodeContext;
use crate::cell::{Cell, Resolution};
use crate::command::{Query, Response};
use crate::config::NodeConfig;
use crate::error::BookingError;
use crate::journal::Durability;
use crate::machine::{query_key, resolve};
use crate::protocol::Status;
use crate::store::Store;
use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Cells merged per acquisition of the store lock when applying a pull answer.
const MERGE_CHUNK: usize = 64;

/// Largest batch of cells sent in one pull answer (bytes of JSON, roughly).
const PULL_BATCH_BYTES: usize = 256 * 1024;

/// The shared part of a state-shipping node.
#[derive(Debug)]
pub struct Replica {
    /// Configuration.
    pub config: NodeConfig,
    /// Links to the other nodes.
    pub peers: Peers,
    store: Mutex<Store>,
    resolution: Resolution,
    incarnation: u64,
    changed: watch::Sender<u64>,
}

impl Replica {
    /// Open the store in the data directory and build the replica.
    pub fn open(
        ctx: NodeContext,
        resolution: Resolution,
        durability: Durability,
    ) -> Result<Arc<Replica>, BookingError> {
        let store = Store::open(
            &ctx.config.data_dir,
            ctx.config.id as u32,
            resolution,
            durability,
        )?;
        let (changed, _) = watch::channel(store.machine().last_change());
        let incarnation = crate::clock::wall_clock_micros() ^ ((std::process::id() as u64) << 40);
        tracing::info!(
            node = ctx.config.id,
            keys = store.machine().key_count(),
            changes = store.machine().last_change(),
            "store replayed"
        );
        Ok(Arc::new(Replica {
            config: ctx.config,
            peers: ctx.peers,
            store: Mutex::new(store),
            resolution,
            incarnation: incarnation.max(1),
            changed,
        }))
    }

    /// This node's id.
    pub fn id(&self) -> usize {
        self.config.id
    }

    /// Lock the store; `f` runs with it and must not block on I/O other than the journal.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut guard: MutexGuard<'_, Store> = self.store.lock().expect("store lock poisoned");
        let before = guard.machine().last_change();
        let out = f(&mut guard);
        let after = guard.machine().last_change();
        drop(guard);
        if after != before {
            self.changed.send_replace(after);
        }
        out
    }

    /// A status with this node's applied position and key count.
    pub fn status(&self, role: &str, leader: Option<usize>) -> Status {
        let (applied, keys) =
            self.with_store(|s| (s.machine().last_change(), s.machine().key_count()));
        Status {
            node: self.id(),
            replication: self.config.replication.to_string(),
            read: self.config.read.to_string(),
            role: role.into(),
            term: None,
            leader,
            applied,
            keys,
        }
    }

    /// Answer `q` at the configured read level: this node's copy merged with those of enough
    /// other replicas to make the read quorum (versions compared, newest kept).
    pub async fn read(&self, q: Query) -> Result<Response, BookingError> {
        let (space, key) = query_key(&q);
        let mut cell: Cell = self
            .with_store(|s| s.machine().cell(space, key).cloned())
            .unwrap_or_default();
        let mut needed = self.config.read_quorum().saturating_sub(1);
        if needed > 0 {
            let msg = serde_json::to_value(PeerMsg::Fetch {
                space,
                key: key.to_owned(),
            })
            .expect("peer messages serialise");
            let mut asks = JoinSet::new();
            for to in self.peers.others() {
                let Some(client) = self.peers.client(to) else {
                    continue;
                };
                let (client, msg, me) = (client.clone(), msg.clone(), self.id());
                asks.spawn(async move {
                    let answer = client.peer(me, msg).await;
                    (to, answer)
                });
            }
            let mut failures = Vec::new();
            while needed > 0 {
                let Some(joined) = asks.join_next().await else {
                    break;
                };
                let (to, answer) = joined.expect("read task does not panic");
                let fetched = answer
                    .map_err(|e| super::peers::peer_error(to, e))
                    .and_then(|v| decode(to, v));
                match fetched {
                    Ok(PeerAnswer::Fetched { cell: Some(theirs) }) => {
                        cell = cell.merged(&theirs, self.resolution);
                        needed -= 1;
                    }
                    Ok(PeerAnswer::Fetched { cell: None }) => needed -= 1,
                    Ok(other) => failures.push(format!("node {to}: unexpected {other:?}")),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            if needed > 0 {
                return Err(BookingError::Strategy {
                    message: format!(
                        "read {} needed {} replicas but {} did not answer: {}",
                        self.config.read,
                        self.config.read_quorum(),
                        needed,
                        failures.join("; ")
                    ),
                    definite: true,
                });
            }
        }
        let cell = (!cell.siblings.is_empty()).then_some(cell);
        Ok(resolve(&q, cell.as_ref()))
    }

    /// Answer the peer messages every state-shipping strategy understands (fetch, pull, merge)
    /// from node `from`.
    pub async fn answer(&self, from: usize, msg: PeerMsg) -> Result<PeerAnswer, BookingError> {
        match msg {
            PeerMsg::Fetch { space, key } => Ok(PeerAnswer::Fetched {
                cell: self.with_store(|s| s.machine().cell(space, &key).cloned()),
            }),
            PeerMsg::Merge { updates } => {
                let changed = self.with_store(|s| s.merge(&updates))?;
                Ok(PeerAnswer::Merged { changed })
            }
            PeerMsg::Pull {
                since,
                incarnation,
                wait_ms,
            } => {
                let since = if incarnation == self.incarnation {
                    since
                } else {
                    0
                };
                let mut rx = self.changed.subscribe();
                if *rx.borrow_and_update() <= since && wait_ms > 0 {
                    let wait = Duration::from_millis(wait_ms).min(PEER_TIMEOUT / 2);
                    let _ = tokio::time::timeout(wait, rx.changed()).await;
                }
                let (updates, upto, last) = self.with_store(|s| {
                    let known_to = Some(from as u32);
                    let (u, upto) = s.machine().changes_for(since, PULL_BATCH_BYTES, known_to);
                    (u, upto, s.machine().last_change())
                });
                Ok(PeerAnswer::Pulled {
                    incarnation: self.incarnation,
                    upto,
                    more: upto < last,
                    updates,
                })
            }
            PeerMsg::Forward { .. } => Err(BookingError::Strategy {
                message: format!(
                    "node {} does not order writes under {}",
                    self.id(),
                    self.config.replication
                ),
                definite: true,
            }),
        }
    }

    /// Pull changes from `source` forever: every `interval`, or continuously with long polls of
    /// `wait` when `wait` is non-zero. Failures are logged and retried after `interval`.
    pub async fn pull_loop(self: Arc<Self>, source: usize, interval: Duration, wait: Duration) {
        let mut mark = (0u64, 0u64); // (incarnation, since)
        loop {
            let msg = PeerMsg::Pull {
                since: mark.1,
                incarnation: mark.0,
                wait_ms: wait.as_millis() as u64,
            };
            let answer = self
                .peers
                .send(
                    source,
                    serde_json::to_value(msg).expect("peer messages serialise"),
                )
                .await
                .and_then(|v| decode(source, v));
            let more = match answer {
                Ok(PeerAnswer::Pulled {
                    incarnation,
                    upto,
                    more,
                    updates,
                }) => match updates
                    .chunks(MERGE_CHUNK)
                    .try_for_each(|chunk| self.with_store(|s| s.merge(chunk)).map(drop))
                {
                    Ok(_) => {
                        mark = (incarnation, upto);
                        more
                    }
                    Err(e) => {
                        tracing::error!(source, error = %e, "cannot journal pulled changes");
                        false
                    }
                },
                Ok(other) => {
                    tracing::warn!(source, ?other, "unexpected answer to pull");
                    false
                }
                Err(e) => {
                    tracing::debug!(source, error = %e, "pull failed");
                    tokio::time::sleep(interval).await;
                    continue;
                }
            };
            if !more && wait.is_zero() {
                tokio::time::sleep(interval).await;
            }
        }
    }
}

/// Decode a peer's answer.
pub fn decode(node: usize, v: Value) -> Result<PeerAnswer, BookingError> {
    serde_json::from_value(v).map_err(|e| BookingError::Remote {
        node,
        message: format!("unreadable peer answer: {e}"),
        definite: false,
    })
}

/// Decode a peer's message.
pub fn decode_msg(from: usize, v: Value) -> Result<PeerMsg, BookingError> {
    serde_json::from_value(v)
        .map_err(|e| BookingError::BadRequest(format!("unreadable message from node {from}: {e}")))
}
