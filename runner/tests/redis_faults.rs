//! Redis under a partition of its primary, in network namespaces, judged by rift's set checker:
//! the Sentinels on the majority side fail over, clients on the primary's side keep writing to
//! the old primary, which acknowledges them; after the heal the old primary becomes a replica of
//! the new one and those acknowledged adds are gone. Repeated over seeds.
//!
//! Module map: `etcd_redis_trial` runs a trial (cluster, clients, nemesis, history); this file
//! says which faults, which workload and which verdict.

#[path = "etcd_redis_trial/mod.rs"]
mod trial;

use checker::invariants::set::{check, ElementOutcome, SetOptions};
use checker::Verdict;
use faults::{Fault, Grudge, NodeId, Shape};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use runner::generator::Invocation;
use runner::systems::redis::adapter::deployment;
use runner::systems::redis::{ReadFrom, RedisAdapter, RedisDriver, SentinelTiming};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use trial::{trial, Driver, Plan, Step};

/// Seeds the claim is checked over.
const SEEDS: [u64; 2] = [1, 2];

/// A unique add from a random node.
fn add(rng: &mut ChaCha8Rng, nodes: usize, next: u64) -> Invocation {
    Invocation {
        f: "add".into(),
        key: None,
        value: json!(next),
        node: rng.gen_range(0..nodes),
    }
}

/// The primary cut off from both replicas (and their Sentinels) in both directions.
fn isolate_primary(nodes: &[NodeId], primaries: Option<Vec<NodeId>>) -> Fault {
    let primary = primaries
        .and_then(|p| p.first().copied())
        .expect("the Sentinels name a primary");
    let others: Vec<NodeId> = nodes.iter().copied().filter(|n| *n != primary).collect();
    Fault::Partition {
        shape: Shape::Exact(Grudge::between(&[primary], &others)),
    }
}

#[test]
fn redis_loses_acknowledged_adds_when_its_primary_is_partitioned_and_sentinel_fails_over() {
    for seed in SEEDS {
        let plan = Plan {
            concurrency: 4,
            duration: Duration::from_secs(10),
            pause: Duration::from_millis(20),
            steps: vec![
                Step {
                    at: Duration::from_millis(1500),
                    fault: Box::new(isolate_primary),
                },
                Step {
                    at: Duration::from_millis(7500),
                    fault: Box::new(|_, _| Fault::Heal),
                },
            ],
            quiet: Duration::from_secs(2),
            final_reads: (0..3)
                .map(|node| Invocation {
                    f: "read".into(),
                    key: None,
                    value: Value::Null,
                    node,
                })
                .collect(),
        };
        let driver = |addrs: &[std::net::SocketAddr]| {
            let d = deployment(addrs, SentinelTiming::default());
            Driver::Redis(RedisDriver::new(
                d,
                ReadFrom::Primary,
                None,
                Duration::from_millis(1000),
            ))
        };
        let history = trial(Arc::new(RedisAdapter::default()), driver, add, plan, seed);
        let report = check(&history, &SetOptions::default()).expect("a well-formed history");
        let lost: Vec<_> = report.with(ElementOutcome::Lost).collect();
        assert_eq!(report.verdict, Verdict::Invalid, "seed {seed}: {report}");
        assert!(
            !lost.is_empty(),
            "seed {seed}: no acknowledged add was lost"
        );
        eprintln!(
            "seed {seed}: {} acknowledged adds lost, e.g. {:?}",
            lost.len(),
            lost[0]
        );
    }
}
