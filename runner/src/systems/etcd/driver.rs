//! The register workload on etcd: how each invocation becomes a gateway call, and how its
//! outcome is recorded.
//!
//! | f | key | value | etcd |
//! |---|---|---|---|
//! | read | register | null -> value or null | range (linearizable or serializable) |
//! | write | register | int | put |
//! | cas | register | [old, new] | txn: value == old ? put new |

use super::client::{EtcdClient, ReadMode};
use crate::generator::Invocation;
use crate::record::Completion;
use crate::systems::completion::{failed, text, value};
use crate::systems::ClientError;
use faults::NodeId;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;

/// One client per member, shared by every worker.
pub struct EtcdDriver {
    clients: Vec<EtcdClient>,
    mode: ReadMode,
}

impl EtcdDriver {
    /// Clients of the members whose client addresses are `addrs`, reads in `mode`, each call
    /// bounded by `timeout`.
    pub fn new(
        addrs: &[SocketAddr],
        mode: ReadMode,
        timeout: Duration,
    ) -> Result<EtcdDriver, ClientError> {
        let clients = addrs
            .iter()
            .enumerate()
            .map(|(i, a)| EtcdClient::new(&NodeId(i).to_string(), *a, timeout))
            .collect::<Result<_, _>>()?;
        Ok(EtcdDriver { clients, mode })
    }

    /// Performs `inv` on its node and classifies the outcome.
    pub async fn call(&self, inv: &Invocation) -> Completion {
        let c = &self.clients[inv.node];
        let key = text(inv.key.as_ref().unwrap_or(&Value::Null));
        match inv.f.as_str() {
            "read" => match c.read(&key, self.mode).await {
                Ok(v) => Completion::Ok(v.map_or(Value::Null, |v| value(&v))),
                // As the issue asks, a timed-out read is info too (though a read has no effect).
                Err(e) => failed(e),
            },
            "write" => match c.write(&key, &text(&inv.value)).await {
                Ok(()) => Completion::Ok(inv.value.clone()),
                Err(e) => failed(e),
            },
            "cas" => {
                let (old, new) = (text(&inv.value[0]), text(&inv.value[1]));
                match c.cas(&key, &old, &new).await {
                    Ok(true) => Completion::Ok(inv.value.clone()),
                    Ok(false) => {
                        Completion::Fail(json!("cas: the register did not hold the expected value"))
                    }
                    Err(e) => failed(e),
                }
            }
            other => Completion::Fail(json!(format!("etcd's register has no op {other:?}"))),
        }
    }
}
