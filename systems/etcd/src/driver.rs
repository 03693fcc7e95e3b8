//! The register workload on etcd: each operation as a gateway call, and its outcome.
//!
//! | operation | etcd |
//! |---|---|
//! | read | range (linearizable or serializable); ok: the value or null |
//! | write | put |
//! | cas | txn: value == from ? put to (`from` null: the key must have no value) |

use crate::client::{EtcdClient, ReadMode};
use faults::NodeId;
use runner::system::values::value;
use runner::system::{
    async_trait, Client, ClientError, Completion, Driver, DriverContext, FailureKind, Reply,
};
use runner::workload::{Operation, RegisterOp};
use serde_json::{json, Value};
use tokio::time::Instant;

/// One HTTP client per member (each pools its connections), shared by the processes on it.
pub struct EtcdDriver {
    clients: Vec<EtcdClient>,
    mode: ReadMode,
}

impl EtcdDriver {
    /// Clients of the members `context` names, reads in `mode`, each call bounded by the op
    /// timeout.
    pub fn new(context: &DriverContext, mode: ReadMode) -> Result<EtcdDriver, ClientError> {
        let clients = context
            .nodes
            .iter()
            .map(|n| EtcdClient::new(&n.id.to_string(), n.addr(), context.op_timeout))
            .collect::<Result<_, _>>()?;
        Ok(EtcdDriver { clients, mode })
    }
}

#[async_trait]
impl Driver for EtcdDriver {
    async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError> {
        let client = self.clients.get(node.0).ok_or_else(|| {
            ClientError::new(&node.to_string(), FailureKind::Rejected, "no such member")
        })?;
        Ok(Box::new(EtcdProcess {
            client: client.clone(),
            mode: self.mode,
        }))
    }
}

/// A client process's client of its member.
struct EtcdProcess {
    client: EtcdClient,
    mode: ReadMode,
}

impl EtcdProcess {
    async fn perform(&self, op: &Operation) -> Completion {
        let c = &self.client;
        let Operation::Register(register) = op else {
            return Completion::fail(format!(
                "etcd's clients run the register workload, not {}",
                op.f()
            ));
        };
        match *register {
            RegisterOp::Read { key } => match c.read(&key.to_string(), self.mode).await {
                Ok(v) => Completion::Ok(v.map_or(Value::Null, |v| value(&v))),
                // A timed-out read is info too, though a read has no effect.
                Err(e) => e.into(),
            },
            RegisterOp::Write { key, value } => {
                match c.write(&key.to_string(), &value.to_string()).await {
                    Ok(()) => Completion::Ok(json!(value)),
                    Err(e) => e.into(),
                }
            }
            RegisterOp::Cas { key, from, to } => {
                let from = from.map_or(String::from("null"), |v| v.to_string());
                match c.cas(&key.to_string(), &from, &to.to_string()).await {
                    Ok(true) => Completion::Ok(op.value()),
                    Ok(false) => {
                        Completion::fail("cas: the register did not hold the expected value")
                    }
                    Err(e) => e.into(),
                }
            }
        }
    }
}

#[async_trait]
impl Client for EtcdProcess {
    async fn invoke(&mut self, op: &Operation, _deadline: Instant) -> Reply {
        // Every request is bounded by the op timeout already (reqwest's); the runner bounds the
        // whole call.
        self.perform(op).await.into()
    }
}
