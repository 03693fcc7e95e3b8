//! NATS JetStream KV as a rift system: its options, its workloads, and the two halves.
//!
//! Three `nats-server`s with JetStream form one cluster (one server per rift node); the clients
//! use one KV bucket, `rift`, replicated on every node (its stream `KV_rift` is a Raft group).
//! Register workload: a read is a KV get, a write a KV put, a cas a KV update conditioned on
//! the revision the value was read at.
//!
//! | option | values | default |
//! |---|---|---|
//! | `read` | direct, leader | direct |
//!
//! `direct` is what a KV get does by default (buckets are created with direct gets allowed): any
//! replica of the bucket may answer, the one on the client's server first. `leader` asks the
//! stream's leader instead (the stream's message-get API).

use crate::client::NatsKvDriver;
use crate::node::NatsNodes;
use faults::FaultKind;
use runner::campaign::Expect;
use runner::system::{Adapter, Driver, DriverContext, System};
use runner::workload::WorkloadKind;
use runner::RunError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Who answers a KV get.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadMode {
    /// Any replica, through JetStream's direct get: a KV get's default.
    #[default]
    Direct,
    /// The bucket stream's leader, through the stream's message-get API.
    Leader,
}

impl fmt::Display for ReadMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReadMode::Direct => "direct",
            ReadMode::Leader => "leader",
        })
    }
}

/// NATS KV's options: the fields of a config's `[system]` table besides `name`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NatsKvOptions {
    /// Who answers reads.
    pub read: ReadMode,
}

/// NATS JetStream KV, registered as `nats-kv`.
pub struct NatsKv;

impl System for NatsKv {
    type Options = NatsKvOptions;

    fn name(&self) -> &str {
        "nats-kv"
    }

    fn workloads(&self, _options: &NatsKvOptions) -> Vec<WorkloadKind> {
        vec![WorkloadKind::Register]
    }

    fn describe(&self, options: &NatsKvOptions) -> String {
        format!("nats-kv {}", options.read)
    }

    fn variants(&self) -> Vec<(String, NatsKvOptions)> {
        [ReadMode::Direct, ReadMode::Leader]
            .into_iter()
            .map(|read| (read.to_string(), NatsKvOptions { read }))
            .collect()
    }

    /// NATS promises nothing of direct gets (any replica answers, however far behind); reads
    /// through the leader promise nothing written down either, so rift expects no verdict.
    fn expect(&self, _options: &NatsKvOptions, _fault: FaultKind) -> Expect {
        Expect::Any
    }

    fn adapter(&self, _options: &NatsKvOptions) -> Result<Arc<dyn Adapter>, RunError> {
        Ok(Arc::new(NatsNodes))
    }

    fn driver(
        &self,
        options: &NatsKvOptions,
        context: &DriverContext,
    ) -> Result<Arc<dyn Driver>, RunError> {
        Ok(Arc::new(NatsKvDriver::new(context, options.read)))
    }
}
