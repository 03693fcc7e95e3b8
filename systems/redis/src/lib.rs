//! Redis as a system under test.
//!
//! Redis replicates asynchronously: a primary acknowledges a write before any replica has it.
//! rift runs a primary and two replicas (`--replicaof`), with a Sentinel beside each that fails
//! over when a majority of Sentinels deems the primary down. The client writes to the primary
//! the Sentinels name and reads from it or from its own node; it can `WAIT` for replicas after
//! each write. Expected anomalies: writes acknowledged by an old primary lost after a failover,
//! and stale reads from replicas.
//!
//! Redis is linked with jemalloc, which deadlocks under libfaketime; the faults crate's clock
//! mechanism preloads glibc after libfaketime for it, so clock faults reach Redis as any other
//! C program (see `faults::clock`).

//!
//! | option | values | default |
//! |---|---|---|
//! | `replication` | async; wait (`WAIT 1` replica after each write, for half the op timeout) | async |
//! | `read` | primary, local (the client's own node) | primary |
//!
//! Workloads: register, set.

pub mod adapter;
pub mod client;
pub mod driver;
pub mod node;
pub mod ready;

pub use adapter::RedisAdapter;
pub use client::{ReadFrom, RedisClient, Served, WaitFor};
pub use driver::RedisDriver;
pub use node::{RedisCluster, RedisNode, SentinelTiming, MASTER_NAME};
pub use ready::{primary_by, probe};

use runner::system::{Adapter, Driver, DriverContext, System};
use runner::workload::WorkloadKind;
use runner::RunError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How writes are acknowledged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Replication {
    /// As soon as the primary has the write (Redis's own replication is asynchronous).
    #[default]
    Async,
    /// After `WAIT 1`: once a replica has it too, or the WAIT timed out (then info).
    Wait,
}

/// Redis's options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisOptions {
    /// How writes are acknowledged.
    pub replication: Replication,
    /// Where reads go.
    pub read: ReadFrom,
}

/// Redis with Sentinel, registered as `redis`.
pub struct Redis;

impl System for Redis {
    type Options = RedisOptions;

    fn name(&self) -> &str {
        "redis"
    }

    fn workloads(&self, _options: &RedisOptions) -> Vec<WorkloadKind> {
        vec![WorkloadKind::Register, WorkloadKind::Set]
    }

    fn variants(&self) -> Vec<(String, RedisOptions)> {
        [
            (Replication::Async, ReadFrom::Primary),
            (Replication::Async, ReadFrom::Local),
            (Replication::Wait, ReadFrom::Primary),
        ]
        .into_iter()
        .map(|(replication, read)| {
            let o = RedisOptions { replication, read };
            (
                Redis.describe(&o).replace("redis ", "").replace('/', "-"),
                o,
            )
        })
        .collect()
    }

    fn describe(&self, o: &RedisOptions) -> String {
        let replication = match o.replication {
            Replication::Async => "async",
            Replication::Wait => "wait",
        };
        let read = match o.read {
            ReadFrom::Primary => "primary",
            ReadFrom::Local => "local",
        };
        format!("redis {replication}/{read}")
    }

    fn adapter(&self, _options: &RedisOptions) -> Result<Arc<dyn Adapter>, RunError> {
        Ok(Arc::new(RedisAdapter::default()))
    }

    fn driver(
        &self,
        o: &RedisOptions,
        context: &DriverContext,
    ) -> Result<Arc<dyn Driver>, RunError> {
        let wait = (o.replication == Replication::Wait).then_some(WaitFor {
            replicas: 1,
            timeout_ms: context.op_timeout.as_millis() as u64 / 2,
        });
        let addrs: Vec<_> = context.nodes.iter().map(|n| n.addr()).collect();
        let d = adapter::deployment(&addrs, SentinelTiming::default());
        Ok(Arc::new(RedisDriver::new(
            d,
            o.read,
            wait,
            context.op_timeout,
        )))
    }
}
