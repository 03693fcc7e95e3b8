//! Helpers shared by the cluster tests: start a cluster of the built `booking-node`, connect
//! clients, wait with a bound.

use booking::config::{ConflictMode, ReadLevel, ReplicationKind};
use booking::testing::{ClusterSpec, TestCluster};
use booking::Client;
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

/// Per-request timeout of test clients.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(3);

/// The `booking-node` binary cargo built for these tests.
pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_booking-node"))
}

/// Start a three-node cluster.
pub async fn cluster(replication: ReplicationKind, read: ReadLevel) -> TestCluster {
    cluster_with(ClusterSpec::new(replication, read)).await
}

/// Start a three-node gossip cluster with the given conflict mode.
pub async fn gossip(read: ReadLevel, conflict: ConflictMode) -> TestCluster {
    cluster_with(ClusterSpec::new(ReplicationKind::Gossip, read).conflict(conflict)).await
}

/// Start a cluster from a spec, panicking with the reason if it cannot start.
pub async fn cluster_with(spec: ClusterSpec) -> TestCluster {
    TestCluster::start(bin(), spec.clone())
        .await
        .unwrap_or_else(|e| panic!("cannot start {spec:?}: {e}"))
}

/// A client of every node, in id order.
pub async fn clients(c: &TestCluster) -> Vec<Client> {
    clients_within(c, CLIENT_TIMEOUT).await
}

/// A client of every node, in id order, each request bounded by `timeout`.
pub async fn clients_within(c: &TestCluster, timeout: Duration) -> Vec<Client> {
    let mut out = Vec::new();
    for i in 0..c.addrs().len() {
        out.push(c.client(i, timeout).await.expect("connect"));
    }
    out
}

/// Evaluate `check` until it returns true, at most for `limit`; returns whether it did.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
