//! The system under test a config names, as the run loop needs it: the [`Adapter`] that starts
//! its nodes and the [`Driver`] that performs the workload's calls on them.
//!
//! | system | workloads | replication | read |
//! |---|---|---|---|
//! | booking | register, booking, set, append | sync, async, log, raft, gossip | one, majority, all |
//! | etcd | register | (Raft; not an option) | linearizable, serializable |
//! | redis | register, set | async, wait | primary, local |

use super::driver::BookingDriver;
use super::RunConfig;
use crate::adapter::{Adapter, BookingAdapter, BookingOptions};
use crate::generator::Invocation;
use crate::record::Completion;
use crate::systems::etcd::{EtcdAdapter, EtcdDriver, ReadMode};
use crate::systems::redis::adapter::deployment;
use crate::systems::redis::{ReadFrom, RedisAdapter, RedisDriver, SentinelTiming, WaitFor};
use crate::RunError;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The clients of the system under test, shared by every worker.
pub enum Driver {
    /// The built-in booking service.
    Booking(BookingDriver),
    /// etcd through its v3 JSON gateway.
    Etcd(EtcdDriver),
    /// Redis with Sentinel.
    Redis(RedisDriver),
}

impl Driver {
    /// Performs `inv` on its node and classifies the outcome; never much longer than the op
    /// timeout. With the completion, the node that served the call when it is not `inv`'s own
    /// (a Redis write goes to the primary).
    pub async fn call(&self, inv: &Invocation) -> (Completion, Option<String>) {
        match self {
            Driver::Booking(d) => (d.call(inv).await, None),
            Driver::Etcd(d) => (d.call(inv).await, None),
            Driver::Redis(d) => d.call_served(inv).await,
        }
    }
}

/// Parses a string option into the enum serde names it by.
fn parse<T: serde::de::DeserializeOwned>(option: &'static str, v: &str) -> Result<T, RunError> {
    serde_json::from_value(json!(v)).map_err(|e| RunError::Invalid {
        option,
        message: e.to_string(),
    })
}

/// The adapter for a validated config's system.
pub fn adapter(config: &RunConfig) -> Result<Arc<dyn Adapter>, RunError> {
    Ok(match config.system.name.as_str() {
        "etcd" => Arc::new(EtcdAdapter::default()),
        "redis" => Arc::new(RedisAdapter::default()),
        _ => Arc::new(BookingAdapter::new(BookingOptions {
            replication: parse("replication", &config.system.replication)?,
            read: parse("read", &config.system.read)?,
            conflict: None,
        })?),
    })
}

/// The driver for a validated config's system, with clients of the nodes at `addrs`.
pub fn driver(config: &RunConfig, addrs: &[SocketAddr]) -> Result<Driver, RunError> {
    let timeout = Duration::from_millis(config.op_timeout_ms);
    let s = &config.system;
    Ok(match s.name.as_str() {
        "etcd" => {
            let mode: ReadMode = parse("read", &s.read)?;
            Driver::Etcd(
                EtcdDriver::new(addrs, mode, timeout).map_err(|e| RunError::Invalid {
                    option: "system",
                    message: format!("no etcd client: {e}"),
                })?,
            )
        }
        "redis" => {
            let read_from: ReadFrom = parse("read", &s.read)?;
            let wait = (s.replication == "wait").then_some(WaitFor {
                replicas: 1,
                timeout_ms: config.op_timeout_ms / 2,
            });
            let d = deployment(addrs, SentinelTiming::default());
            Driver::Redis(RedisDriver::new(d, read_from, wait, timeout))
        }
        _ => Driver::Booking(BookingDriver::new(addrs, timeout)),
    })
}
