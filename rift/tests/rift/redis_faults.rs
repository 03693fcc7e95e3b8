//! Redis under a partition of its primary, in network namespaces, judged by rift's set checker
//! (lost adds) and linearizability checker (stale replica reads).
//!
//! The primary the Sentinels name is cut off from both replicas (and their Sentinels) for 6 s.
//! The majority side fails over; clients (outside the namespaces, like application servers that
//! reach every node) keep writing to the old primary, which acknowledges them; after the heal the
//! old primary becomes a replica of the new one and those adds are gone. With `WAIT 1` after
//! each add the old primary can no longer confirm them: none is acknowledged, so none is lost
//! acknowledged, but WAIT does not undo them: they were applied, and vanish all the same. (The
//! final reads, 2 s after the heal, may still find the old primary not yet demoted, which a
//! Sentinel does at its next INFO to it, up to 10 s later: the nodes then disagree.)
//! Reads from the replicas meanwhile return values the primary has long overwritten. Without
//! faults, reads from the primary are linearizable (the control).
//! Each claim is checked over seeds (`RIFT_SEEDS=1-10` to measure how often).
//!
//! Module map: `etcd_redis_trial` runs a trial (cluster, clients, nemesis, history); this file
//! says which faults, which workload and which verdict.

use crate::etcd_redis_trial as trial;
use checker::invariants::set::{check, ElementOutcome, ElementReport, SetOptions, SetReport};
use checker::linear::{check_history, Options};
use checker::model::spec::{ModelKind, ModelSpec};
use checker::Verdict;
use faults::{Fault, Grudge, NodeId, Shape};
use histories::{History, OpType, Outcome};
use rand_chacha::ChaCha8Rng;
use rift_redis::adapter::deployment;
use rift_redis::{ReadFrom, RedisAdapter, RedisDriver, SentinelTiming, WaitFor};
use runner::system::Driver;
use runner::workload::{Operation, SetOp};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use trial::{faults_not_installed, over_seeds, register_op, seeds, trial, Plan, Step};

/// A unique add.
fn add(_rng: &mut ChaCha8Rng, next: u64) -> Operation {
    Operation::Set(SetOp::Add(next))
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

/// The lost elements whose add was acknowledged (the set checker also counts an unacknowledged
/// add that some read saw and a later final read did not).
fn lost_acknowledged(report: &SetReport) -> Vec<&ElementReport> {
    report
        .with(ElementOutcome::Lost)
        .filter(|e| e.add.outcome == Outcome::Ok)
        .collect()
}

/// 10 s of adds; the primary isolated from 1.5 s to 7.5 s; final reads from every node 2 s
/// after the heal.
fn run(wait: Option<WaitFor>, seed: u64) -> Result<(History, SetReport), String> {
    let history = trial_of(add, ReadFrom::Primary, wait, set_final_reads(), seed)?;
    let report = check(&history, &SetOptions::default()).map_err(|e| e.to_string())?;
    Ok((history, report))
}

/// One final set read from every node.
fn set_final_reads() -> Vec<(Operation, NodeId)> {
    (0..3)
        .map(|node| (Operation::Set(SetOp::Read), NodeId(node)))
        .collect()
}

/// 10 s of `draw`'s ops, reads from `read_from`, the primary isolated from 1.5 s to 7.5 s; the
/// history, once the faults were all installed.
fn trial_of(
    draw: trial::OpDraw,
    read_from: ReadFrom,
    wait: Option<WaitFor>,
    final_reads: Vec<(Operation, NodeId)>,
    seed: u64,
) -> Result<History, String> {
    let steps = vec![
        Step {
            at: Duration::from_millis(1500),
            fault: Box::new(isolate_primary),
        },
        Step {
            at: Duration::from_millis(7500),
            fault: Box::new(|_, _| Fault::Heal),
        },
    ];
    trial_with(
        draw,
        read_from,
        wait,
        final_reads,
        steps,
        Duration::from_secs(10),
        seed,
    )
}

/// `duration` of `draw`'s ops under `steps`; the history, once the faults were all installed.
fn trial_with(
    draw: trial::OpDraw,
    read_from: ReadFrom,
    wait: Option<WaitFor>,
    final_reads: Vec<(Operation, NodeId)>,
    steps: Vec<Step>,
    duration: Duration,
    seed: u64,
) -> Result<History, String> {
    let plan = Plan {
        concurrency: 6,
        duration,
        pause: Duration::from_millis(20),
        steps,
        quiet: Duration::from_secs(2),
        final_reads,
    };
    let driver = move |context: &runner::system::DriverContext| -> Arc<dyn Driver> {
        let addrs: Vec<_> = context.nodes.iter().map(|n| n.addr()).collect();
        let d = deployment(&addrs, SentinelTiming::default());
        Arc::new(RedisDriver::new(d, read_from, wait, context.op_timeout))
    };
    let history = trial(Arc::new(RedisAdapter::default()), driver, draw, plan, seed);
    let skipped = faults_not_installed(&history);
    if !skipped.is_empty() {
        return Err(format!("faults not installed: {skipped:?}"));
    }
    Ok(history)
}

#[test]
fn redis_loses_acknowledged_adds_when_its_primary_is_partitioned_and_sentinel_fails_over() {
    let _machine = crate::machine::share();
    over_seeds(
        "redis async, primary partitioned",
        &seeds(&[1, 2]),
        |seed| {
            let (_, report) = run(None, seed)?;
            let lost: Vec<_> = lost_acknowledged(&report);
            match (report.verdict.clone(), lost.first()) {
                (Verdict::Invalid, Some(first)) => Ok(format!(
                    "{} acknowledged adds lost; e.g. {} added by process {} (client of {}), \
                 acknowledged, absent from a final read",
                    lost.len(),
                    first.element,
                    first.add.process,
                    first.add.node.as_deref().unwrap_or("?")
                )),
                (v, _) => Err(format!("expected lost adds, got {v:?}: {report}")),
            }
        },
    );
}

#[test]
fn with_wait_no_acknowledged_add_is_lost_but_unconfirmed_adds_still_vanish() {
    let _machine = crate::machine::share();
    let wait = Some(WaitFor {
        replicas: 1,
        timeout_ms: 300,
    });
    over_seeds(
        "redis WAIT 1, primary partitioned",
        &seeds(&[1, 2]),
        |seed| {
            let (history, report) = run(wait, seed)?;
            let lost = lost_acknowledged(&report).len();
            if lost > 0 {
                return Err(format!("{lost} acknowledged adds lost: {report}"));
            }
            // Adds WAIT could not confirm: recorded info, applied on the old primary all the same.
            let unconfirmed: Vec<&Value> = history
                .ops
                .iter()
                .filter(|o| o.kind == OpType::Info && o.f == "add")
                .filter(|o| {
                    o.error
                        .as_ref()
                        .is_some_and(|e| e.to_string().contains("unreplicated"))
                })
                .map(|o| &o.value)
                .collect();
            let finals: Vec<&Vec<Value>> = history
                .ops
                .iter()
                .filter(|o| o.kind == OpType::Ok && o.f == "read")
                .filter_map(|o| o.value.as_array())
                .collect();
            let vanished = unconfirmed
                .iter()
                .filter(|v| finals.iter().any(|f| !f.contains(v)))
                .count();
            if unconfirmed.is_empty() || vanished == 0 {
                return Err(format!(
                    "expected unconfirmed adds that vanished: {} unconfirmed, {vanished} vanished",
                    unconfirmed.len()
                ));
            }
            Ok(format!(
                "no acknowledged add lost (verdict {:?}); {} adds unconfirmed by WAIT (info), \
             {vanished} of them missing from a final read",
                report.verdict,
                unconfirmed.len()
            ))
        },
    );
}

/// A register op over 2 keys.
fn register(rng: &mut ChaCha8Rng, next: u64) -> Operation {
    register_op(rng, next, 2)
}

#[test]
fn redis_with_replica_reads_serves_stale_values_while_its_primary_is_partitioned() {
    let _machine = crate::machine::share();
    over_seeds(
        "redis replica reads, primary partitioned",
        &seeds(&[1, 2]),
        |seed| {
            let history = trial_of(register, ReadFrom::Local, None, Vec::new(), seed)?;
            let options = Options {
                time_limit: Some(Duration::from_secs(60)),
                ..Options::default()
            };
            let spec = ModelSpec::new(ModelKind::CasRegister);
            let report = check_history(&history, &spec, &options).map_err(|e| e.to_string())?;
            let words = report
                .invalid
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>();
            match report.verdict {
                Verdict::Invalid if words.iter().any(|w| w.contains("read")) => {
                    Ok(words[0].lines().next().unwrap_or_default().to_string())
                }
                v => Err(format!("expected a stale read, got {v:?}: {words:?}")),
            }
        },
    );
}

#[test]
fn redis_with_primary_reads_and_no_faults_is_linearizable() {
    let _machine = crate::machine::share();
    over_seeds("redis primary reads, no faults", &seeds(&[1, 2]), |seed| {
        let history = trial_with(
            register,
            ReadFrom::Primary,
            None,
            Vec::new(),
            Vec::new(),
            Duration::from_secs(4),
            seed,
        )?;
        let reads = history
            .ops
            .iter()
            .filter(|o| o.kind == OpType::Ok && o.f == "read")
            .count();
        if reads < 50 {
            return Err(format!("only {reads} ok reads"));
        }
        let options = Options {
            time_limit: Some(Duration::from_secs(60)),
            ..Options::default()
        };
        let spec = ModelSpec::new(ModelKind::CasRegister);
        let report = check_history(&history, &spec, &options).map_err(|e| e.to_string())?;
        match report.verdict {
            Verdict::Valid => Ok(format!("valid, {reads} ok reads")),
            v => Err(format!("{v:?}: {:?}", report.invalid)),
        }
    });
}
