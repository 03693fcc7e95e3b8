//! etcd under faults, in network namespaces, judged by rift's linearizability checker:
//! linearizable reads stay Valid under a partition, pauses and a kill with restart;
//! serializable reads under a partition of a minority member return stale values, which the
//! checker finds; a clock fault on etcd is recorded as skipped, with the reason (Go bypasses
//! libfaketime). Each claim is checked over seeds (`RIFT_SEEDS=1-10` to measure how often).
//!
//! Module map: `etcd_redis_trial` runs a trial (cluster, clients, nemesis, history); this file
//! says which faults, which read mode and which verdict.

use crate::etcd_redis_trial as trial;
use checker::linear::{check_history, Options};
use checker::model::spec::{ModelKind, ModelSpec};
use checker::Verdict;
use faults::{Fault, Shape, Target};
use histories::{History, OpType, Process};
use rand_chacha::ChaCha8Rng;
use rift_etcd::{Etcd, EtcdAdapter, EtcdOptions, ReadMode};
use runner::system::System;
use runner::workload::Operation;
use std::sync::Arc;
use std::time::Duration;
use trial::{faults_not_installed, over_seeds, register_op, seeds, trial, Plan, Step};

fn ops(rng: &mut ChaCha8Rng, next: u64) -> Operation {
    register_op(rng, next, 2)
}

fn at(ms: u64, fault: Fault) -> Step {
    Step {
        at: Duration::from_millis(ms),
        fault: Box::new(move |_, _| fault.clone()),
    }
}

/// One member isolated from 1.5 s to 6.5 s.
fn partition() -> Vec<Step> {
    vec![
        at(
            1500,
            Fault::Partition {
                shape: Shape::IsolateOne,
            },
        ),
        at(6500, Fault::Heal),
    ]
}

/// The leader paused 1.5-3 s, a random member paused 3.5-5 s, the leader killed at 5.5 s and
/// restarted (on its data, `--initial-cluster-state existing`) at 7 s.
fn pauses_and_kill() -> Vec<Step> {
    let one = || Target::One;
    vec![
        at(
            1500,
            Fault::Pause {
                target: Target::Primaries,
            },
        ),
        at(
            3000,
            Fault::Resume {
                target: Target::All,
            },
        ),
        at(3500, Fault::Pause { target: one() }),
        at(
            5000,
            Fault::Resume {
                target: Target::All,
            },
        ),
        at(
            5500,
            Fault::Kill {
                target: Target::Primaries,
            },
        ),
        at(
            7000,
            Fault::Restart {
                target: Target::All,
            },
        ),
    ]
}

/// 9 s of clients under `steps`; the run's history.
fn run(mode: ReadMode, steps: Vec<Step>, seed: u64) -> History {
    let plan = Plan {
        concurrency: 6,
        duration: Duration::from_secs(9),
        pause: Duration::from_millis(20),
        steps,
        quiet: Duration::from_millis(200),
        final_reads: Vec::new(),
    };
    let driver = move |context: &runner::system::DriverContext| {
        Etcd.driver(&EtcdOptions { read: mode }, context).unwrap()
    };
    trial(Arc::new(EtcdAdapter::default()), driver, ops, plan, seed)
}

/// The verdict and, when invalid, the checker's explanation.
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

/// How many reads completed ok: a trial that read little proves little.
fn ok_reads(history: &History) -> usize {
    history
        .ops
        .iter()
        .filter(|o| o.process != Process::Nemesis && o.kind == OpType::Ok && o.f == "read")
        .count()
}

fn valid(mode: ReadMode, steps: fn() -> Vec<Step>, seed: u64) -> Result<String, String> {
    let history = run(mode, steps(), seed);
    let skipped = faults_not_installed(&history);
    if !skipped.is_empty() {
        return Err(format!("faults not installed: {skipped:?}"));
    }
    let reads = ok_reads(&history);
    if reads < 50 {
        return Err(format!("only {reads} ok reads"));
    }
    match verdict(&history) {
        (Verdict::Valid, _) => Ok(format!("valid, {reads} ok reads")),
        (v, words) => Err(format!("{v:?}: {words}")),
    }
}

#[test]
fn etcd_with_linearizable_reads_under_a_partition_is_linearizable() {
    let _machine = crate::machine::share();
    over_seeds("etcd linearizable, partition", &seeds(&[1, 2]), |seed| {
        valid(ReadMode::Linearizable, partition, seed)
    });
}

#[test]
fn etcd_with_linearizable_reads_under_pauses_and_a_kill_is_linearizable() {
    let _machine = crate::machine::share();
    over_seeds(
        "etcd linearizable, pauses + kill",
        &seeds(&[1, 2]),
        |seed| valid(ReadMode::Linearizable, pauses_and_kill, seed),
    );
}

#[test]
fn etcd_with_serializable_reads_under_a_minority_partition_is_not_linearizable() {
    let _machine = crate::machine::share();
    over_seeds(
        "etcd serializable, partition",
        &seeds(&[1, 2]),
        |seed| match verdict(&run(ReadMode::Serializable, partition(), seed)) {
            (Verdict::Invalid, words) if words.contains("read") => {
                Ok(words.lines().next().unwrap_or_default().to_string())
            }
            (v, words) => Err(format!("expected a stale read, got {v:?} {words}")),
        },
    );
}

#[test]
fn a_clock_fault_on_etcd_is_recorded_as_skipped_because_go_bypasses_libfaketime() {
    let _machine = crate::machine::share();
    use faults::{Injector, Outcome};
    use runner::cluster::{Backend, Cluster, ClusterConfig};
    let config = ClusterConfig {
        nodes: 3,
        backend: Backend::Local,
        clock: true,
        ready_timeout_ms: 20_000,
        ..ClusterConfig::default()
    };
    let mut cluster = Cluster::start(config, Arc::new(EtcdAdapter::default())).unwrap();
    let record = Injector::new(&mut cluster, 1)
        .apply(&Fault::ClockBump {
            target: Target::One,
            delta_ms: 5000,
        })
        .unwrap();
    let report = cluster.teardown();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    match record.outcome {
        Outcome::Skipped { reason } => {
            assert!(reason.contains("Go program"), "{reason}");
            eprintln!("skipped: {reason}");
        }
        other => panic!("expected skipped, got {other:?}"),
    }
}
