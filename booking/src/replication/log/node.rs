//! `LogNode`: the log strategy on one node.
//!
//! - A write is published to the booking stream. JetStream acknowledges it once stored (on a
//!   majority of the stream's replicas); the node then waits for its own replica to apply it
//!   and answers with the result (whether the room was booked needs the stream's order). An
//!   error before JetStream had the message (no stream, message too large) is definite; a
//!   publish that timed out, or a stored command not applied here in time, is indefinite.
//! - `--read one` answers from this node's applied state (it may lag the stream). `majority`
//!   and `all` ask that many replicas (this one included) for their applied state and answer
//!   with the one that has applied the most of the stream.

use super::consumer::Replica;
use super::stream::{Envelope, SUBJECT};
use crate::command::{Command, Query, Response};
use crate::config::ReadLevel;
use crate::error::BookingError;
use crate::protocol::Status;
use crate::replication::{Peers, Replication};
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::Context;
use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long a write waits for JetStream's acknowledgement.
pub const PUBLISH_TIMEOUT: Duration = Duration::from_millis(2000);
/// How long a stored write waits for this node's replica to apply it.
pub const APPLY_TIMEOUT: Duration = Duration::from_millis(2000);

/// A message between the log strategies of two nodes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogMessage {
    /// Answer a query from your applied state.
    Read(Query),
}

/// A replica's answer to [`LogMessage::Read`].
#[derive(Debug, Serialize, Deserialize)]
pub struct ReadAnswer {
    /// The last stream sequence the replica had applied.
    pub mark: u64,
    /// The query's answer from that state.
    pub response: Response,
}

/// The log strategy running on one node.
pub struct LogNode {
    me: usize,
    read: ReadLevel,
    quorum: usize,
    js: Context,
    replica: Arc<Replica>,
    peers: Peers,
    incarnation: u64,
    next_token: AtomicU64,
}

impl LogNode {
    /// The strategy of node `me`, publishing through `js` and applying to `replica`.
    pub fn new(
        me: usize,
        read: ReadLevel,
        quorum: usize,
        js: Context,
        replica: Arc<Replica>,
        peers: Peers,
        incarnation: u64,
    ) -> LogNode {
        LogNode {
            me,
            read,
            quorum,
            js,
            replica,
            peers,
            incarnation,
            next_token: AtomicU64::new(1),
        }
    }

    fn read_here(&self, q: &Query) -> ReadAnswer {
        self.replica.with_store(|s| ReadAnswer {
            mark: s.mark().unwrap_or(0),
            response: s.machine().query(q),
        })
    }

    /// Publishes `cmd` and returns the stream sequence JetStream stored it at.
    async fn publish(&self, token: u64, cmd: Command) -> Result<u64, BookingError> {
        let envelope = Envelope {
            from: self.me,
            incarnation: self.incarnation,
            token,
            command: cmd,
        };
        let payload = serde_json::to_vec(&envelope).expect("envelopes serialise");
        let stored = async { self.js.publish(SUBJECT, payload.into()).await?.await };
        match tokio::time::timeout(PUBLISH_TIMEOUT, stored).await {
            Err(_) => Err(BookingError::Timeout {
                node: self.me,
                millis: PUBLISH_TIMEOUT.as_millis() as u64,
            }),
            Ok(Ok(ack)) => Ok(ack.sequence),
            Ok(Err(e)) => Err(BookingError::Strategy {
                message: format!("node {}: publishing to JetStream failed: {e}", self.me),
                definite: matches!(
                    e.kind(),
                    PublishErrorKind::StreamNotFound | PublishErrorKind::MaxPayloadExceeded
                ),
            }),
        }
    }
}

#[async_trait::async_trait]
impl Replication for LogNode {
    async fn write(&self, cmd: Command) -> Result<Response, BookingError> {
        let token = self.next_token.fetch_add(1, Ordering::Relaxed);
        let applied = self.replica.wait_for(token);
        let seq = match self.publish(token, cmd).await {
            Ok(seq) => seq,
            Err(e) => {
                self.replica.forget(token);
                return Err(e);
            }
        };
        match tokio::time::timeout(APPLY_TIMEOUT, applied).await {
            Ok(Ok(response)) => Ok(response),
            _ => {
                self.replica.forget(token);
                Err(BookingError::Strategy {
                    message: format!(
                        "node {}: the write is in the log at sequence {seq} but was not applied \
                         here within {} ms; every replica will apply it",
                        self.me,
                        APPLY_TIMEOUT.as_millis()
                    ),
                    definite: false,
                })
            }
        }
    }

    async fn read(&self, q: Query) -> Result<Response, BookingError> {
        let mine = self.read_here(&q);
        if self.read == ReadLevel::One {
            return Ok(mine.response);
        }
        let msg = serde_json::to_value(LogMessage::Read(q)).expect("log messages serialise");
        let mut asked: FuturesUnordered<_> = self
            .peers
            .others()
            .map(|to| {
                let msg = msg.clone();
                async move { (to, self.peers.send(to, msg).await) }
            })
            .collect();
        let mut best = mine;
        let mut answered = 1;
        let mut failures = Vec::new();
        while answered < self.quorum {
            let Some((to, answer)) = asked.next().await else {
                return Err(BookingError::Strategy {
                    message: format!(
                        "node {}: only {answered} of the {} replicas needed answered: {}",
                        self.me,
                        self.quorum,
                        failures.join("; ")
                    ),
                    definite: true,
                });
            };
            match answer.and_then(|v| {
                serde_json::from_value::<ReadAnswer>(v).map_err(|e| BookingError::Remote {
                    node: to,
                    message: format!("unreadable read answer: {e}"),
                    definite: true,
                })
            }) {
                Ok(a) => {
                    answered += 1;
                    if a.mark > best.mark {
                        best = a;
                    }
                }
                Err(e) => failures.push(e.to_string()),
            }
        }
        Ok(best.response)
    }

    fn status(&self) -> Status {
        let (applied, keys) = self
            .replica
            .with_store(|s| (s.mark().unwrap_or(0), s.machine().key_count()));
        Status {
            node: self.me,
            replication: "log".into(),
            read: self.read.to_string(),
            role: "consumer".into(),
            term: None,
            leader: None,
            applied,
            keys,
        }
    }

    async fn peer(&self, from: usize, msg: Value) -> Result<Value, BookingError> {
        let msg: LogMessage = serde_json::from_value(msg).map_err(|e| {
            BookingError::BadRequest(format!("not a log message from node {from}: {e}"))
        })?;
        match msg {
            LogMessage::Read(q) => {
                Ok(serde_json::to_value(self.read_here(&q)).expect("answers serialise"))
            }
        }
    }
}
