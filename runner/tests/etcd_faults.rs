//! etcd under partitions, in network namespaces, judged by rift's linearizability checker:
//! linearizable reads stay Valid; serializable reads on a member cut off from the majority
//! return stale values, which the checker finds. Each repeated over seeds.
//!
//! Module map: `etcd_redis_trial` runs a trial (cluster, clients, nemesis, history); this file
//! says which faults, which read mode and which verdict.

#[path = "etcd_redis_trial/mod.rs"]
mod trial;

use checker::linear::{check_history, Options};
use checker::model::spec::{ModelKind, ModelSpec};
use checker::Verdict;
use faults::{Fault, Shape};
use histories::{History, OpType, Process};
use rand_chacha::ChaCha8Rng;
use runner::generator::Invocation;
use runner::systems::etcd::{EtcdAdapter, EtcdDriver, ReadMode};
use std::sync::Arc;
use std::time::Duration;
use trial::{register_op, trial, Driver, Plan, Step};

/// Seeds each claim is checked over.
const SEEDS: [u64; 2] = [1, 2];

fn ops(rng: &mut ChaCha8Rng, nodes: usize, next: u64) -> Invocation {
    register_op(rng, nodes, next, 2)
}

/// 9 s of clients; one node isolated from 1.5 s to 6.5 s; the run's history.
fn run(mode: ReadMode, seed: u64) -> History {
    let plan = Plan {
        concurrency: 4,
        duration: Duration::from_secs(9),
        pause: Duration::from_millis(20),
        steps: vec![
            Step {
                at: Duration::from_millis(1500),
                fault: Box::new(|_, _| Fault::Partition {
                    shape: Shape::IsolateOne,
                }),
            },
            Step {
                at: Duration::from_millis(6500),
                fault: Box::new(|_, _| Fault::Heal),
            },
        ],
        quiet: Duration::from_millis(200),
        final_reads: Vec::new(),
    };
    let driver = move |addrs: &[std::net::SocketAddr]| {
        Driver::Etcd(EtcdDriver::new(addrs, mode, Duration::from_millis(1000)).unwrap())
    };
    trial(Arc::new(EtcdAdapter::default()), driver, ops, plan, seed)
}

fn verdict(history: &History) -> (Verdict, String) {
    let options = Options {
        time_limit: Some(Duration::from_secs(60)),
        ..Options::default()
    };
    let spec = ModelSpec::new(ModelKind::CasRegister);
    let report = check_history(history, &spec, &options).expect("a well-formed history");
    let words = report
        .invalid
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    (report.verdict, words)
}

/// How many reads, and how many ok, the history holds; a trial that read nothing proves nothing.
fn ok_reads(history: &History) -> usize {
    history
        .ops
        .iter()
        .filter(|o| o.process != Process::Nemesis && o.kind == OpType::Ok && o.f == "read")
        .count()
}

#[test]
fn etcd_with_linearizable_reads_under_a_partition_is_linearizable() {
    for seed in SEEDS {
        let history = run(ReadMode::Linearizable, seed);
        assert!(
            ok_reads(&history) > 50,
            "seed {seed}: too few reads to judge"
        );
        let (v, words) = verdict(&history);
        assert_eq!(v, Verdict::Valid, "seed {seed}: {words}");
    }
}

#[test]
fn etcd_with_serializable_reads_under_a_minority_partition_is_not_linearizable() {
    for seed in SEEDS {
        let history = run(ReadMode::Serializable, seed);
        let (v, words) = verdict(&history);
        assert_eq!(v, Verdict::Invalid, "seed {seed}: expected a stale read");
        assert!(
            words.contains("read"),
            "seed {seed}: the witness names a read: {words}"
        );
        eprintln!("seed {seed}: {words}");
    }
}
