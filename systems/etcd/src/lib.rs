//! etcd as a system under test.
//!
//! etcd is a key-value store replicated by Raft, linearizable by default. rift runs three
//! members, each on its own address (in the local backend, its own network namespace, `IP:2379`
//! for clients and `IP:2380` for peers); a restarted member rejoins with
//! `--initial-cluster-state existing`. The client speaks etcd's v3 JSON gateway; reads are
//! linearizable (through the leader) or serializable (from the member's own state, possibly
//! stale), which is the difference rift's etcd campaign shows.
//!
//! etcd is a Go program: it reads the clock through the vDSO, not libc, so libfaketime cannot
//! shift it, and clock faults on etcd are skipped with that reason (the faults crate's
//! `clock_blocker` detects Go binaries).

//!
//! | option | values | default |
//! |---|---|---|
//! | `read` | linearizable, serializable | linearizable |
//!
//! Workloads: register.

pub mod adapter;
pub mod client;
pub mod driver;
pub mod gateway;
pub mod node;
pub mod probe;

pub use adapter::EtcdAdapter;
pub use client::{EtcdClient, ReadMode};
pub use driver::EtcdDriver;
pub use node::{ClusterState, EtcdCluster, EtcdMember, RaftTiming};

use runner::system::{Adapter, Driver, DriverContext, System};
use runner::workload::WorkloadKind;
use runner::RunError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// etcd's options. Replication is Raft's and not an option.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EtcdOptions {
    /// How reads are served.
    pub read: ReadMode,
}

/// etcd, registered as `etcd`.
pub struct Etcd;

impl System for Etcd {
    type Options = EtcdOptions;

    fn name(&self) -> &str {
        "etcd"
    }

    fn workloads(&self, _options: &EtcdOptions) -> Vec<WorkloadKind> {
        vec![WorkloadKind::Register]
    }

    fn variants(&self) -> Vec<(String, EtcdOptions)> {
        [ReadMode::Linearizable, ReadMode::Serializable]
            .into_iter()
            .map(|read| (read.to_string(), EtcdOptions { read }))
            .collect()
    }

    fn describe(&self, options: &EtcdOptions) -> String {
        format!("etcd {}", options.read)
    }

    fn adapter(&self, _options: &EtcdOptions) -> Result<Arc<dyn Adapter>, RunError> {
        Ok(Arc::new(EtcdAdapter::default()))
    }

    fn driver(
        &self,
        options: &EtcdOptions,
        context: &DriverContext,
    ) -> Result<Arc<dyn Driver>, RunError> {
        let driver =
            EtcdDriver::new(context, options.read).map_err(|e| RunError::SystemOptions {
                system: "etcd".into(),
                message: format!("no etcd client: {e}"),
            })?;
        Ok(Arc::new(driver))
    }
}
