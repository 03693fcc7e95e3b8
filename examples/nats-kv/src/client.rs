//! The client side: each client process has its own NATS connection to its node's server (and
//! never to another: discovered servers are ignored), and a handle on the bucket.
//!
//! | operation | NATS KV | ok | fail (definitely no effect) |
//! |---|---|---|---|
//! | read | get (direct or from the leader) | the value, or null | — |
//! | write | put | the value | — |
//! | cas from v | get from the leader, then update at its revision | | the value is not v; the revision moved |
//! | cas from null | not run | | always |
//!
//! Every other error, and no answer by the deadline, is info.

use crate::system::ReadMode;
use async_nats::jetstream::kv::{Store, UpdateErrorKind};
use async_nats::jetstream::stream::{self, DiscardPolicy, LastRawMessageErrorKind};
use async_nats::jetstream::{self, Context};
use bytes::Bytes;
use faults::NodeId;
use runner::system::values::value;
use runner::system::{
    async_trait, Client, ClientError, Completion, Driver, DriverContext, FailureKind, Reply,
};
use runner::workload::{Operation, RegisterOp};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::time::Instant;

/// The bucket every client uses.
const BUCKET: &str = "rift";

/// Opens a connection per client process; creates the bucket on the first open.
pub struct NatsKvDriver {
    addrs: Vec<SocketAddr>,
    read: ReadMode,
    timeout: Duration,
    created: OnceCell<()>,
}

impl NatsKvDriver {
    /// A driver for the servers `context` names, reads in `read`.
    pub fn new(context: &DriverContext, read: ReadMode) -> NatsKvDriver {
        NatsKvDriver {
            addrs: context.nodes.iter().map(|n| n.addr()).collect(),
            read,
            timeout: context.op_timeout,
            created: OnceCell::new(),
        }
    }

    /// The bucket, replicated on every node, one value per key: its stream, configured as
    /// async-nats's `create_key_value` configures it. Not that call itself: it first asks for
    /// the account's JetStream info, whose answer from nats-server 2.9 async-nats 0.51 cannot
    /// read ("data did not match any variant of untagged enum Response").
    async fn create(&self, js: &Context) -> Result<(), String> {
        js.get_or_create_stream(stream::Config {
            name: format!("KV_{BUCKET}"),
            subjects: vec![format!("$KV.{BUCKET}.>")],
            max_messages_per_subject: 1,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            discard: DiscardPolicy::New,
            num_replicas: self.addrs.len(),
            ..Default::default()
        })
        .await
        .map(|_| ())
        .map_err(|e| format!("creating bucket {BUCKET}: {e}"))
    }
}

#[async_trait]
impl Driver for NatsKvDriver {
    async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError> {
        let name = node.to_string();
        let unreachable = |e: String| ClientError::new(&name, FailureKind::Unreachable, e);
        let addr = self
            .addrs
            .get(node.0)
            .ok_or_else(|| unreachable("no such node".into()))?;
        let connection = async_nats::ConnectOptions::new()
            .connection_timeout(self.timeout / 2)
            .ignore_discovered_servers()
            .connect(addr.to_string())
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let mut js = jetstream::new(connection);
        js.set_timeout(self.timeout);
        self.created
            .get_or_try_init(|| self.create(&js))
            .await
            .map_err(&unreachable)?;
        let store = js
            .get_key_value(BUCKET)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(Box::new(NatsKvClient {
            store,
            read: self.read,
            node: name,
        }))
    }
}

/// One client process's connection and bucket.
struct NatsKvClient {
    store: Store,
    read: ReadMode,
    node: String,
}

impl NatsKvClient {
    /// An indefinite outcome, in the client's words.
    fn info(&self, e: impl std::fmt::Display) -> Completion {
        ClientError::new(&self.node, FailureKind::ServerError, e.to_string()).into()
    }

    /// The key's value and revision, from the stream's leader; `None` when it has none.
    async fn leader_entry(&self, key: u64) -> Result<Option<(Bytes, u64)>, Completion> {
        let subject = format!("$KV.{BUCKET}.{key}");
        match self
            .store
            .stream
            .get_last_raw_message_by_subject(&subject)
            .await
        {
            Ok(m) => Ok(Some((m.payload, m.sequence))),
            Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(self.info(e)),
        }
    }

    async fn read(&self, key: u64) -> Completion {
        let found = match self.read {
            ReadMode::Leader => self.leader_entry(key).await.map(|e| e.map(|(v, _)| v)),
            ReadMode::Direct => self
                .store
                .get(key.to_string())
                .await
                .map_err(|e| self.info(e)),
        };
        match found {
            Ok(None) => Completion::Ok(Value::Null),
            Ok(Some(v)) => Completion::Ok(value(&String::from_utf8_lossy(&v))),
            Err(c) => c,
        }
    }

    async fn write(&self, key: u64, v: u64) -> Completion {
        match self.store.put(key.to_string(), v.to_string().into()).await {
            Ok(_) => Completion::Ok(json!(v)),
            Err(e) => self.info(e),
        }
    }

    async fn cas(&self, key: u64, from: Option<u64>, to: u64) -> Completion {
        let to_bytes = Bytes::from(to.to_string());
        // As rift's built-in systems do, a cas from no value is not run (a definite failure):
        // rift's register checker reads the nil it observed as a value no call wrote.
        let Some(from) = from else {
            return Completion::fail("cas from no value: not run");
        };
        let revision = match self.leader_entry(key).await {
            Ok(Some((v, revision))) if v.as_ref() == from.to_string().as_bytes() => revision,
            Ok(_) => return Completion::fail("cas: the register did not hold the expected value"),
            Err(c) => return c,
        };
        match self.store.update(key.to_string(), to_bytes, revision).await {
            Ok(_) => Completion::Ok(json!([from, to])),
            Err(e) if e.kind() == UpdateErrorKind::WrongLastRevision => {
                Completion::fail("cas: the key was written since it was read")
            }
            Err(e) => self.info(e),
        }
    }
}

#[async_trait]
impl Client for NatsKvClient {
    async fn invoke(&mut self, op: &Operation, deadline: Instant) -> Reply {
        let call = async {
            match op {
                Operation::Register(RegisterOp::Read { key }) => self.read(*key).await,
                Operation::Register(RegisterOp::Write { key, value }) => {
                    self.write(*key, *value).await
                }
                Operation::Register(RegisterOp::Cas { key, from, to }) => {
                    self.cas(*key, *from, *to).await
                }
                other => Completion::fail(format!("nats-kv has no operation {}", other.f())),
            }
        };
        match tokio::time::timeout_at(deadline, call).await {
            Ok(completion) => completion.into(),
            Err(_) => Completion::info("timeout").into(),
        }
    }
}
