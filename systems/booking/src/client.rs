//! The booking service's client side: each workload's operations as requests of the service's
//! protocol (booking/PROTOCOL.md), and their outcomes classified where they are seen (definite
//! error -> fail, indefinite -> info; when in doubt, info).
//!
//! | workload | operation | request |
//! |---|---|---|
//! | booking | book, cancel, available | `book`, `cancel`, `available` of room `k` (the room's name is its number) |
//! | register | read, write, cas | `read`, `write`, `cas` of key `k` |
//! | set | add, read | a txn appending to / reading the list at key [`SET_KEY`] |
//! | append | txn | `txn` of appends and reads, keys as their numbers |
//!
//! One connection per node, shared by every client process on that node (requests carry ids);
//! a process's client is a handle on it.

use booking::command::TxnOp;
use booking::{BookingError, Client as Connection};
use faults::NodeId;
use runner::system::{
    async_trait, Client, ClientError, Completion, Driver, DriverContext, FailureKind, Reply,
};
use runner::workload::{BookingOp, MicroOp, Operation, RegisterOp, SetOp};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::time::Instant;

/// The key of the list the set workload adds to (a list-append key on the booking service).
pub const SET_KEY: &str = "set";

/// Connections to the nodes, one each, opened when first used.
pub struct BookingDriver {
    connections: Vec<Arc<Connection>>,
}

impl BookingDriver {
    /// Connections to the nodes `context` names, each call bounded by its op timeout.
    pub fn new(context: &DriverContext) -> BookingDriver {
        BookingDriver {
            connections: context
                .nodes
                .iter()
                .map(|n| Arc::new(Connection::lazy(n.addr(), context.op_timeout)))
                .collect(),
        }
    }
}

#[async_trait]
impl Driver for BookingDriver {
    async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError> {
        let connection = self.connections.get(node.0).ok_or_else(|| {
            ClientError::new(&node.to_string(), FailureKind::Rejected, "no such node")
        })?;
        Ok(Box::new(BookingClient {
            connection: connection.clone(),
        }))
    }
}

/// A client process's handle on its node's connection.
struct BookingClient {
    connection: Arc<Connection>,
}

fn failed(e: BookingError) -> Completion {
    if e.is_definite() {
        Completion::Fail(json!(e.to_string()))
    } else {
        Completion::Info(json!(e.to_string()))
    }
}

/// The service's micro-ops for a transaction's (keys as their numbers' text).
fn txn_ops(ops: &[MicroOp]) -> Result<Vec<TxnOp>, Completion> {
    ops.iter()
        .map(|m| match *m {
            MicroOp::Append { key, value } => Ok(TxnOp::Append {
                key: key.to_string(),
                value: json!(value),
            }),
            MicroOp::Read { key } => Ok(TxnOp::Read {
                key: key.to_string(),
                value: Value::Null,
            }),
            MicroOp::Write { .. } => Err(Completion::fail(
                "the booking service's transactions append and read; they do not write",
            )),
        })
        .collect()
}

/// A completed transaction as the history records it: each micro-op as asked, reads filled in.
fn txn_result(asked: &[MicroOp], done: Vec<TxnOp>) -> Value {
    asked
        .iter()
        .zip(done)
        .map(|(m, d)| match d {
            TxnOp::Read { value, .. } => m.encode(value),
            TxnOp::Append { .. } => m.encode(Value::Null),
        })
        .collect()
}

impl BookingClient {
    async fn perform(&self, op: &Operation) -> Completion {
        let c = &self.connection;
        match op {
            Operation::Booking(BookingOp::Book { room, guest }) => {
                match c.book(&room.to_string(), guest).await {
                    Ok(b) => Completion::Ok(json!(b)),
                    Err(e) => failed(e),
                }
            }
            Operation::Booking(BookingOp::Cancel { room, guest }) => {
                match c.cancel(&room.to_string(), guest).await {
                    Ok(b) => Completion::Ok(json!(b)),
                    Err(e) => failed(e),
                }
            }
            Operation::Booking(BookingOp::Available { room }) => {
                match c.available(&room.to_string()).await {
                    Ok(holders) => Completion::Ok(match holders.as_slice() {
                        [] => Value::Null,
                        [one] => json!(one),
                        many => json!(many),
                    }),
                    Err(e) => failed(e),
                }
            }
            Operation::Register(RegisterOp::Read { key }) => match c.read(&key.to_string()).await {
                Ok(v) => Completion::Ok(v),
                Err(e) => failed(e),
            },
            Operation::Register(RegisterOp::Write { key, value }) => {
                match c.write(&key.to_string(), json!(value)).await {
                    Ok(()) => Completion::Ok(json!(value)),
                    Err(e) => failed(e),
                }
            }
            Operation::Register(RegisterOp::Cas { key, from, to }) => {
                match c.cas(&key.to_string(), json!(from), json!(to)).await {
                    Ok(true) => Completion::Ok(op.value()),
                    Ok(false) => {
                        Completion::fail("cas: the register did not hold the expected value")
                    }
                    Err(e) => failed(e),
                }
            }
            Operation::Txn(ops) => match txn_ops(ops) {
                Ok(asked) => match c.txn(asked).await {
                    Ok(done) => Completion::Ok(txn_result(ops, done)),
                    Err(e) => failed(e),
                },
                Err(refused) => refused,
            },
            Operation::Set(SetOp::Add(v)) => {
                let op = TxnOp::Append {
                    key: SET_KEY.into(),
                    value: json!(v),
                };
                match c.txn(vec![op]).await {
                    Ok(_) => Completion::Ok(json!(v)),
                    Err(e) => failed(e),
                }
            }
            Operation::Set(SetOp::Read) => {
                let op = TxnOp::Read {
                    key: SET_KEY.into(),
                    value: Value::Null,
                };
                match c.txn(vec![op]).await {
                    Ok(mut done) => match done.pop() {
                        Some(TxnOp::Read { value, .. }) if value.is_null() => {
                            Completion::Ok(json!([]))
                        }
                        Some(TxnOp::Read { value, .. }) => Completion::Ok(value),
                        _ => Completion::info("the set read returned no read"),
                    },
                    Err(e) => failed(e),
                }
            }
            Operation::Counter(_) => Completion::fail("the booking service has no counter"),
            Operation::Bank(_) => Completion::fail("the booking service has no bank accounts"),
        }
    }
}

#[async_trait]
impl Client for BookingClient {
    async fn invoke(&mut self, op: &Operation, _deadline: Instant) -> Reply {
        // Every request is bounded by the op timeout already (the connection's); the runner
        // bounds the whole call.
        self.perform(op).await.into()
    }
}
