//! The register and set workloads on Redis: each operation as Redis commands, and its outcome.
//!
//! | operation | Redis |
//! |---|---|
//! | register read | GET (primary or own node) |
//! | register write | SET on the primary |
//! | register cas | EVAL compare-and-set script on the primary |
//! | set add | SADD set on the primary |
//! | set read | SMEMBERS set on the node itself; ok: the sorted elements |
//!
//! A set read reads the node it is sent to, whatever the read mode: the set workload reads only
//! at the end, once from every node, to see what each node kept. An old primary not yet demoted
//! still holds the adds it acknowledged during a partition; its replicas, following the new
//! primary, do not.
//!
//! A client lives on its process's node (whose Sentinel it asks first); writes go to whichever
//! node the Sentinels name primary, and the reply names the node that answered, which `rift run`
//! records as the completion's node; the error of a failed call names it.

use crate::client::{ReadFrom, RedisClient, Served, WaitFor};
use crate::node::RedisCluster;
use faults::NodeId;
use runner::system::values::value;
use runner::system::{async_trait, Client, ClientError, Completion, Driver, FailureKind, Reply};
use runner::workload::{Operation, RegisterOp, SetOp};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The key of the set workload's set.
pub const SET_KEY: &str = "set";

/// One client living on each node, shared by the processes on it (its connections are
/// multiplexed).
pub struct RedisDriver {
    clients: Vec<Arc<RedisClient>>,
    cluster: Arc<RedisCluster>,
}

impl RedisDriver {
    /// Clients of `deployment`, one living on each node, reading from `read_from`, with an
    /// optional `WAIT` after each write, each call bounded by `timeout`.
    pub fn new(
        deployment: RedisCluster,
        read_from: ReadFrom,
        wait: Option<WaitFor>,
        timeout: Duration,
    ) -> RedisDriver {
        let cluster = Arc::new(deployment);
        let clients = (0..cluster.nodes.len())
            .map(|i| {
                Arc::new(RedisClient::new(
                    cluster.clone(),
                    i,
                    read_from,
                    wait,
                    timeout,
                ))
            })
            .collect();
        RedisDriver { clients, cluster }
    }
}

#[async_trait]
impl Driver for RedisDriver {
    async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError> {
        let client = self.clients.get(node.0).ok_or_else(|| {
            ClientError::new(&node.to_string(), FailureKind::Rejected, "no such node")
        })?;
        Ok(Box::new(RedisProcess {
            client: client.clone(),
            cluster: self.cluster.clone(),
            node,
        }))
    }
}

/// A client process's handle on its node's client.
struct RedisProcess {
    client: Arc<RedisClient>,
    cluster: Arc<RedisCluster>,
    node: NodeId,
}

impl RedisProcess {
    /// `completion`, served by the node named in `served`.
    fn reply<T>(&self, served: &Served<T>, completion: Completion) -> Reply {
        Reply {
            completion,
            served_by: self
                .cluster
                .nodes
                .iter()
                .position(|n| n.name == served.node)
                .map(NodeId),
        }
    }

    async fn perform(&self, op: &Operation) -> Reply {
        let c = &self.client;
        match op {
            Operation::Register(RegisterOp::Read { key }) => match c.get(&key.to_string()).await {
                Ok(s) => {
                    let v = s.value.as_deref().map_or(Value::Null, value);
                    self.reply(&s, Completion::Ok(v))
                }
                // A timed-out read is info too, though a read has no effect.
                Err(e) => e.into(),
            },
            Operation::Register(RegisterOp::Write { key, value }) => {
                match c.set(&key.to_string(), &value.to_string()).await {
                    Ok(s) => self.reply(&s, Completion::Ok(json!(value))),
                    Err(e) => e.into(),
                }
            }
            Operation::Register(RegisterOp::Cas { key, from, to }) => {
                let from = from.map_or(String::from("null"), |v| v.to_string());
                match c.cas(&key.to_string(), &from, &to.to_string()).await {
                    Ok(s) if s.value => self.reply(&s, Completion::Ok(op.value())),
                    Ok(s) => self.reply(
                        &s,
                        Completion::fail("cas: the register did not hold the expected value"),
                    ),
                    Err(e) => e.into(),
                }
            }
            Operation::Set(SetOp::Add(v)) => match c.add(SET_KEY, &v.to_string()).await {
                Ok(s) => self.reply(&s, Completion::Ok(json!(v))),
                Err(e) => e.into(),
            },
            Operation::Set(SetOp::Read) => match c.members_on(self.node.0, SET_KEY).await {
                Ok(s) => {
                    let mut elements: Vec<Value> = s.value.iter().map(|e| value(e)).collect();
                    elements.sort_by_key(|v| v.as_i64());
                    self.reply(&s, Completion::Ok(Value::Array(elements)))
                }
                Err(e) => e.into(),
            },
            other => Completion::fail(format!(
                "Redis's clients run the register and set workloads, not {}",
                other.f()
            ))
            .into(),
        }
    }
}

#[async_trait]
impl Client for RedisProcess {
    async fn invoke(&mut self, op: &Operation, _deadline: Instant) -> Reply {
        // Every step (asking a Sentinel, connecting, the command) is bounded by the op timeout
        // already; the runner bounds the whole call.
        self.perform(op).await
    }
}
