//! The `Consumer`: the loop that applies the booking stream, in stream order, to this node's
//! durable [`Store`], and hands each result to the client waiting for it on this node.
//!
//! The replica reads the stream through a durable pull consumer named `replica-<id>`, acking
//! each message once applied. Its position is the store's mark (the last stream sequence
//! applied, journalled with the change it made), so each (re)start of the loop — at node start,
//! or after any error — recreates the consumer from `mark + 1`: a message is applied exactly
//! once even when the node was killed between applying and acking. A message whose sequence is
//! not the next one expected (a gap) restarts the loop rather than apply out of order.

use super::stream::{stream_config, Envelope};
use crate::command::Response;
use crate::store::Store;
use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
use async_nats::jetstream::Context;
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the loop waits before starting again after an error (NATS down, stream missing).
const RETRY: Duration = Duration::from_millis(200);
/// Heartbeat the server sends on an idle pull; two missed ones end the pass (e.g. the server
/// holding the consumer died) and the loop starts again.
const HEARTBEAT: Duration = Duration::from_millis(500);
/// How long the loop waits for a message before asking the server whether the consumer still
/// exists and answers.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// This node's replica: its store and the clients waiting for their commands to be applied.
pub struct Replica {
    me: usize,
    incarnation: u64,
    store: Mutex<Store>,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Response>>>,
}

impl Replica {
    /// The replica of node `me` (process incarnation `incarnation`) over `store`.
    pub fn new(me: usize, incarnation: u64, store: Store) -> Replica {
        Replica {
            me,
            incarnation,
            store: Mutex::new(store),
            waiting: Mutex::default(),
        }
    }

    /// Runs `f` on the store.
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        f(&self.store.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The last stream sequence applied (0 before any).
    pub fn mark(&self) -> u64 {
        self.with_store(|s| s.mark().unwrap_or(0))
    }

    /// Registers a client waiting for the result of the command published with `token`.
    pub fn wait_for(&self, token: u64) -> oneshot::Receiver<Response> {
        let (tx, rx) = oneshot::channel();
        self.waiting().insert(token, tx);
        rx
    }

    /// Forgets the client waiting on `token` (it gave up).
    pub fn forget(&self, token: u64) {
        self.waiting().remove(&token);
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<u64, oneshot::Sender<Response>>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies the message at stream sequence `seq` and wakes its waiting client, if here.
    fn apply(&self, seq: u64, payload: &[u8]) -> Result<(), String> {
        let envelope: Envelope = match serde_json::from_slice(payload) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(seq, "skipping a stream message that is not a command: {e}");
                return Ok(());
            }
        };
        let response = self
            .store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .apply_at(&envelope.command, seq)
            .map_err(|e| e.to_string())?;
        if let Some(response) = response {
            if envelope.from == self.me && envelope.incarnation == self.incarnation {
                if let Some(tx) = self.waiting().remove(&envelope.token) {
                    let _ = tx.send(response);
                }
            }
        }
        Ok(())
    }
}

/// Applies the stream to `replica` for as long as the node runs.
pub async fn run(js: Context, servers: usize, replica: Arc<Replica>) {
    loop {
        if let Err(e) = consume(&js, servers, &replica).await {
            tracing::warn!(node = replica.me, "log consumer restarts: {e}");
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// One pass: (re)create the stream if needed and the consumer at `mark + 1`, then apply
/// messages until an error.
async fn consume(js: &Context, servers: usize, replica: &Replica) -> Result<(), String> {
    let stream = js
        .get_or_create_stream(stream_config(servers))
        .await
        .map_err(|e| format!("stream: {e}"))?;
    let name = format!("replica-{}", replica.me);
    let mut next = replica.mark() + 1;
    // The consumer may remember a position other than the store's; the store is the truth.
    let _ = stream.delete_consumer(&name).await;
    let consumer = stream
        .create_consumer(pull::Config {
            durable_name: Some(name.clone()),
            deliver_policy: DeliverPolicy::ByStartSequence {
                start_sequence: next,
            },
            ack_policy: AckPolicy::Explicit,
            // The replica's position lives in its store, so the consumer needs no replicated
            // state of its own: one replica in memory is created at once, with no election.
            num_replicas: 1,
            memory_storage: true,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("consumer {name}: {e}"))?;
    let mut messages = consumer
        .stream()
        .heartbeat(HEARTBEAT)
        .expires(HEARTBEAT * 4)
        .messages()
        .await
        .map_err(|e| format!("consumer {name}: {e}"))?;
    loop {
        let message = match tokio::time::timeout(IDLE_CHECK, messages.next()).await {
            Ok(Some(message)) => message.map_err(|e| format!("consumer {name}: {e}"))?,
            Ok(None) => break,
            // Idle for a while: make sure the consumer still answers (its server may have died
            // without the pull noticing missed heartbeats); if not, start the pass again.
            Err(_) => match tokio::time::timeout(IDLE_CHECK, stream.consumer_info(&name)).await {
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => return Err(format!("consumer {name} unreachable: {e}")),
                Err(_) => return Err(format!("consumer {name} did not answer in {IDLE_CHECK:?}")),
            },
        };
        let seq = message
            .info()
            .map_err(|e| format!("message without stream info: {e}"))?
            .stream_sequence;
        if seq > next {
            return Err(format!("gap in the stream: got {seq}, expected {next}"));
        }
        if seq == next {
            replica.apply(seq, &message.payload)?;
            next += 1;
        }
        message
            .ack()
            .await
            .map_err(|e| format!("ack of {seq}: {e}"))?;
    }
    Err(format!("consumer {name} ended"))
}
