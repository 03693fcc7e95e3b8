//! The booking service (`booking-node`, the `booking` crate) as a system under test, built on
//! the runner's public seam exactly as a user's system would be.
//!
//! | option | values | default |
//! |---|---|---|
//! | `replication` | sync, async, log, raft, gossip | async |
//! | `read` | one, majority, all | one |
//! | `conflict` | gossip's resolution of concurrent writes: lww, vector | the service's |
//!
//! Workloads: register, booking, set, append. The node side is [`BookingAdapter`] (the service
//! and, for the log strategy, a NATS server per node); the client side is [`BookingDriver`].

mod adapter;
mod client;

pub use adapter::BookingAdapter;
pub use client::BookingDriver;

use booking::config::{ConflictMode, ReadLevel, ReplicationKind};
use faults::FaultKind;
use runner::campaign::Expect;
use runner::run::RunConfig;
use runner::system::{Adapter, Driver, DriverContext, System};
use runner::workload::WorkloadKind;
use runner::RunError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The booking service's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BookingOptions {
    /// The replication strategy.
    pub replication: ReplicationKind,
    /// Which replicas a read consults.
    pub read: ReadLevel,
    /// How gossip resolves concurrent writes (gossip only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<ConflictMode>,
}

impl Default for BookingOptions {
    fn default() -> Self {
        BookingOptions {
            replication: ReplicationKind::Async,
            read: ReadLevel::One,
            conflict: None,
        }
    }
}

/// The booking service, registered as `booking`.
pub struct Booking;

impl System for Booking {
    type Options = BookingOptions;

    fn name(&self) -> &str {
        "booking"
    }

    fn workloads(&self, _options: &BookingOptions) -> Vec<WorkloadKind> {
        vec![
            WorkloadKind::Booking,
            WorkloadKind::Register,
            WorkloadKind::Set,
            WorkloadKind::Append,
        ]
    }

    fn describe(&self, o: &BookingOptions) -> String {
        format!("booking {}/{}", o.replication, o.read)
    }

    /// The strategies `rift demo` compares: each replication with its characteristic read.
    fn variants(&self) -> Vec<(String, BookingOptions)> {
        use ReadLevel::*;
        use ReplicationKind::*;
        [
            (Sync, One),
            (Async, One),
            (Async, All),
            (Log, One),
            (Raft, Majority),
            (Gossip, One),
        ]
        .into_iter()
        .map(|(replication, read)| {
            let name = format!("{replication}-{read}");
            (
                name,
                BookingOptions {
                    replication,
                    read,
                    conflict: None,
                },
            )
        })
        .collect()
    }

    /// Raft with reads through the leader is linearizable under every fault; asynchronous writes
    /// read from one replica serve stale reads once a partition cuts a backup off. The other
    /// strategies promise nothing the demo's short runs reliably show.
    fn expect(&self, o: &BookingOptions, fault: FaultKind) -> Expect {
        match (o.replication, o.read, fault) {
            (ReplicationKind::Raft, ReadLevel::Majority, _) => Expect::Valid,
            (ReplicationKind::Async, ReadLevel::One, FaultKind::Partition) => Expect::Invalid,
            _ => Expect::Any,
        }
    }

    fn validate(&self, o: &BookingOptions, _run: &RunConfig) -> Result<(), String> {
        match (o.conflict, o.replication) {
            (Some(c), r) if r != ReplicationKind::Gossip => Err(format!(
                "conflict = {c} resolves gossip's concurrent writes; replication {r} has none"
            )),
            _ => Ok(()),
        }
    }

    fn adapter(&self, options: &BookingOptions) -> Result<Arc<dyn Adapter>, RunError> {
        Ok(Arc::new(BookingAdapter::new(*options)?))
    }

    fn driver(
        &self,
        _options: &BookingOptions,
        context: &DriverContext,
    ) -> Result<Arc<dyn Driver>, RunError> {
        Ok(Arc::new(BookingDriver::new(context)))
    }
}
