//! The driver: performs an [`Invocation`] on the system under test with its client and
//! classifies the outcome where it is seen (definite error -> fail, indefinite -> info; when in
//! doubt, info).

use crate::generator::Invocation;
use crate::record::Completion;
use booking::command::TxnOp;
use booking::{BookingError, Client};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The key of the list the set workload adds to (a list-append key on the booking service).
const SET_KEY: &str = "set";

/// Clients of the booking service, one per node, shared by every worker.
pub struct BookingDriver {
    clients: Vec<Arc<Client>>,
    timeout: Duration,
}

fn key(inv: &Invocation) -> String {
    match &inv.key {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn failed(e: BookingError) -> Completion {
    if e.is_definite() {
        Completion::Fail(json!(e.to_string()))
    } else {
        Completion::Info(json!(e.to_string()))
    }
}

fn txn_ops(v: &Value) -> Result<Vec<TxnOp>, String> {
    let ops = v.as_array().ok_or("a txn is a list of micro-ops")?;
    ops.iter()
        .map(|m| match m.as_array().map(|a| a.as_slice()) {
            Some([f, k, v]) if f == "append" => Ok(TxnOp::Append {
                key: text(k),
                value: v.clone(),
            }),
            Some([f, k, _]) if f == "r" => Ok(TxnOp::Read {
                key: text(k),
                value: Value::Null,
            }),
            _ => Err(format!("bad micro-op {m}")),
        })
        .collect()
}

/// A txn's micro-ops as recorded: keys as in the invocation (numbers stay numbers).
fn txn_result(inv: &Value, ops: Vec<TxnOp>) -> Value {
    let asked = inv.as_array().cloned().unwrap_or_default();
    Value::Array(
        ops.into_iter()
            .zip(asked)
            .map(|(op, a)| match op {
                TxnOp::Append { value, .. } => json!(["append", a[1], value]),
                TxnOp::Read { value, .. } => json!(["r", a[1], value]),
            })
            .collect(),
    )
}

impl BookingDriver {
    /// Clients of the nodes at `addrs`, each call bounded by `timeout`.
    pub fn new(addrs: &[SocketAddr], timeout: Duration) -> BookingDriver {
        BookingDriver {
            clients: addrs
                .iter()
                .map(|a| Arc::new(Client::lazy(*a, timeout)))
                .collect(),
            timeout,
        }
    }

    /// Performs `inv` on its node. Never takes much longer than the timeout: a call still
    /// running then is abandoned and recorded as info.
    pub async fn call(&self, inv: &Invocation) -> Completion {
        let grace = self.timeout + Duration::from_millis(500);
        match tokio::time::timeout(grace, self.perform(inv)).await {
            Ok(c) => c,
            Err(_) => Completion::Info(json!("timeout")),
        }
    }

    async fn perform(&self, inv: &Invocation) -> Completion {
        let c = &self.clients[inv.node];
        let k = key(inv);
        match inv.f.as_str() {
            "book" => match c.book(&k, &text(&inv.value)).await {
                Ok(b) => Completion::Ok(json!(b)),
                Err(e) => failed(e),
            },
            "cancel" => match c.cancel(&k, &text(&inv.value)).await {
                Ok(b) => Completion::Ok(json!(b)),
                Err(e) => failed(e),
            },
            "available" => match c.available(&k).await {
                Ok(holders) => Completion::Ok(match holders.as_slice() {
                    [] => Value::Null,
                    [one] => json!(one),
                    many => json!(many),
                }),
                Err(e) => failed(e),
            },
            "read" if inv.key.is_some() => match c.read(&k).await {
                Ok(v) => Completion::Ok(v),
                Err(e) => failed(e),
            },
            "write" => match c.write(&k, inv.value.clone()).await {
                Ok(()) => Completion::Ok(inv.value.clone()),
                Err(e) => failed(e),
            },
            "cas" => {
                let (old, new) = (inv.value[0].clone(), inv.value[1].clone());
                match c.cas(&k, old, new).await {
                    Ok(true) => Completion::Ok(inv.value.clone()),
                    Ok(false) => {
                        Completion::Fail(json!("cas: the register did not hold the expected value"))
                    }
                    Err(e) => failed(e),
                }
            }
            "txn" => match txn_ops(&inv.value) {
                Ok(ops) => match c.txn(ops).await {
                    Ok(done) => Completion::Ok(txn_result(&inv.value, done)),
                    Err(e) => failed(e),
                },
                Err(why) => Completion::Fail(json!(why)),
            },
            "add" if inv.key.is_none() => {
                let op = TxnOp::Append {
                    key: SET_KEY.into(),
                    value: inv.value.clone(),
                };
                match c.txn(vec![op]).await {
                    Ok(_) => Completion::Ok(inv.value.clone()),
                    Err(e) => failed(e),
                }
            }
            "read" => {
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
                        _ => Completion::Info(json!("the set read returned no read")),
                    },
                    Err(e) => failed(e),
                }
            }
            other => Completion::Fail(json!(format!("the booking service has no op {other:?}"))),
        }
    }
}
