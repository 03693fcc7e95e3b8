//! A short fault trial against a real system in network namespaces, shared by the etcd and
//! Redis fault tests: start the cluster with the system's adapter (local backend, one namespace
//! and address per node), drive concurrent clients through the system's driver (the public seam:
//! client `t` opened on node `t mod 3`, a fresh process and client after every info) while a
//! nemesis thread applies a fixed fault schedule through the faults crate's injector, heal,
//! wait, make the final reads, and return the recorded history for the real checkers.
//!
//! Every loop is bounded by the trial's duration; the cluster is torn down when dropped (also on
//! panic), leaving no namespace, rule or process behind.

pub mod ports;

use faults::{Fault, Injector, Mechanism, NodeId};
use histories::{Header, History};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use runner::cluster::{Backend, Cluster, ClusterConfig};
use runner::record::{Invocation, Recorder};
use runner::system::{Adapter, Client, Completion, Driver, DriverContext};
use runner::workload::{Operation, RegisterOp, WorkloadConfig, WorkloadKind};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Builds a fault from the nodes and the primaries the adapter names.
pub type FaultFor = dyn Fn(&[NodeId], Option<Vec<NodeId>>) -> Fault + Send + Sync;

/// When a fault is applied: at a fixed offset, with the fault built from the cluster then (so
/// that it can aim at the current primary).
pub struct Step {
    /// Offset from the start of the clients.
    pub at: Duration,
    /// The fault, given the nodes and the primaries the adapter names.
    pub fault: Box<FaultFor>,
}

/// What a trial does.
pub struct Plan {
    /// Concurrent clients.
    pub concurrency: usize,
    /// How long the clients run.
    pub duration: Duration,
    /// Each client's pause between two calls.
    pub pause: Duration,
    /// The faults, in time order; everything is healed when the clients stop.
    pub steps: Vec<Step>,
    /// The pause after healing, before the final reads.
    pub quiet: Duration,
    /// The final reads, made one after another after the quiet period, each by a fresh process.
    pub final_reads: Vec<(Operation, NodeId)>,
}

/// The seeds a claim is checked over: `RIFT_SEEDS` (e.g. `1-10` or `3,5`) when set, to measure
/// how often a result reproduces, else `default`.
pub fn seeds(default: &[u64]) -> Vec<u64> {
    let Ok(spec) = std::env::var("RIFT_SEEDS") else {
        return default.to_vec();
    };
    let parse = |s: &str| {
        s.trim()
            .parse::<u64>()
            .expect("RIFT_SEEDS: numbers like 1-10 or 3,5")
    };
    match spec.split_once('-') {
        Some((a, b)) => (parse(a)..=parse(b)).collect(),
        None => spec.split(',').map(parse).collect(),
    }
}

/// Runs `claim` for every seed and asserts that it held on all of them, after printing on how
/// many it held (the reproduction rate over the seeds).
pub fn over_seeds(what: &str, seeds: &[u64], mut claim: impl FnMut(u64) -> Result<String, String>) {
    let mut failures = Vec::new();
    for &seed in seeds {
        match claim(seed) {
            Ok(note) => eprintln!("{what}: seed {seed}: {note}"),
            Err(why) => {
                eprintln!("{what}: seed {seed}: FAILED: {why}");
                failures.push(seed);
            }
        }
    }
    let held = seeds.len() - failures.len();
    eprintln!("{what}: held on {held} of {} seeds", seeds.len());
    assert!(failures.is_empty(), "{what}: failed on seeds {failures:?}");
}

/// Draws one client op from the seeded RNG; `next` is a fresh unique value.
pub type OpDraw = fn(&mut ChaCha8Rng, u64) -> Operation;

/// Performs `inv` on `process`'s client (opened on its node when it has none) and records the
/// call; returns how it ended.
async fn call(
    driver: &dyn Driver,
    recorder: &Recorder,
    names: &[String],
    process: (u64, &mut Option<Box<dyn Client>>),
    inv: &Invocation,
) -> Completion {
    let (id, client) = process;
    let node = &names[inv.node.0];
    recorder.invoke(id, inv, node);
    if client.is_none() {
        match driver.open(inv.node).await {
            Ok(c) => *client = Some(c),
            Err(e) => {
                let how = Completion::fail(format!("no client: {e}"));
                recorder.complete(id, inv, node, &how);
                return how;
            }
        }
    }
    let c = client.as_mut().expect("opened above");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let reply = c.invoke(&inv.op, deadline).await;
    let served = reply.served_by.map_or(node, |n| &names[n.0]);
    recorder.complete(id, inv, served, &reply.completion);
    reply.completion
}

/// Runs a trial of `adapter`'s system with the driver `make_driver` builds for the cluster's
/// nodes, ops from `draw` seeded by `seed`, and `plan`'s faults. Returns the history.
pub fn trial(
    adapter: Arc<dyn Adapter>,
    make_driver: impl FnOnce(&DriverContext) -> Arc<dyn Driver>,
    draw: OpDraw,
    plan: Plan,
    seed: u64,
) -> History {
    let config = ClusterConfig {
        nodes: 3,
        backend: Backend::Local,
        clock: false,
        ready_timeout_ms: 20_000,
        ..ClusterConfig::default()
    };
    let mut cluster = Cluster::start(config, adapter).expect("the cluster starts (as root)");
    let names: Arc<Vec<String>> = Arc::new((0..3).map(|i| NodeId(i).to_string()).collect());
    let dir = tempfile::tempdir().unwrap();
    let mut header = Header::default();
    header.meta.insert("seed".into(), json!(seed));
    let start = Instant::now();
    let recorder = Recorder::create(dir.path().join("history.jsonl"), header, start, true).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let driver = {
        let _entered = runtime.enter();
        make_driver(&DriverContext {
            nodes: cluster.specs(),
            workload: WorkloadKind::Register,
            workload_config: WorkloadConfig::default(),
            op_timeout: Duration::from_secs(1),
            log_dir: None,
        })
    };
    let rng = Arc::new(Mutex::new(ChaCha8Rng::seed_from_u64(seed)));
    let unique = Arc::new(AtomicU64::new(1));
    let processes = Arc::new(AtomicU64::new(plan.concurrency as u64));

    std::thread::scope(|scope| {
        let nemesis_recorder = recorder.clone();
        let steps = &plan.steps;
        let cluster = &mut cluster;
        let nemesis = scope.spawn(move || {
            let mut injector = Injector::new(cluster, seed);
            for step in steps {
                let wait = step.at.saturating_sub(start.elapsed());
                std::thread::sleep(wait);
                let nodes = injector.mechanism().nodes();
                let primaries = injector.mechanism().primaries();
                let fault = (step.fault)(&nodes, primaries);
                let record = injector.apply(&fault).expect("rift applies the fault");
                note(&nemesis_recorder, &record);
            }
            let end = plan.duration.saturating_sub(start.elapsed());
            std::thread::sleep(end);
            for record in injector.heal_everything().expect("rift heals") {
                note(&nemesis_recorder, &record);
            }
            let limit = Duration::from_secs(20);
            if let Err(why) = injector.mechanism().wait_all_ready(limit) {
                panic!("{why}");
            }
        });
        runtime.block_on(async {
            let tasks: Vec<_> = (0..plan.concurrency as u64)
                .map(|first| {
                    let (driver, recorder, names) =
                        (driver.clone(), recorder.clone(), names.clone());
                    let (rng, unique, processes) = (rng.clone(), unique.clone(), processes.clone());
                    let (duration, pause) = (plan.duration, plan.pause);
                    let node = NodeId(first as usize % 3);
                    tokio::spawn(async move {
                        let (mut process, mut client) = (first, None);
                        while start.elapsed() < duration {
                            let op = {
                                let mut rng = rng.lock().unwrap();
                                draw(&mut rng, unique.fetch_add(1, Ordering::Relaxed))
                            };
                            let inv = Invocation::new(op, node);
                            let how =
                                call(&*driver, &recorder, &names, (process, &mut client), &inv)
                                    .await;
                            if matches!(how, Completion::Info(_)) {
                                if let Some(mut c) = client.take() {
                                    c.close().await;
                                }
                                process = processes.fetch_add(1, Ordering::Relaxed);
                            }
                            tokio::time::sleep(pause).await;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        });
        nemesis.join().expect("the nemesis thread");
    });
    std::thread::sleep(plan.quiet);
    let final_process = processes.fetch_add(1, Ordering::Relaxed);
    runtime.block_on(async {
        for (k, (op, node)) in plan.final_reads.iter().enumerate() {
            let p = final_process + k as u64;
            let inv = Invocation::final_read(op.clone(), *node);
            call(&*driver, &recorder, &names, (p, &mut None), &inv).await;
        }
        driver.finish().await;
    });
    drop(runtime);
    let history = recorder.finish().unwrap();
    let report = cluster.teardown();
    assert!(
        report.problems.is_empty(),
        "teardown: {:?}",
        report.problems
    );
    history
}

fn note(recorder: &Recorder, record: &faults::FaultRecord) {
    let value = serde_json::to_value(record).unwrap_or(Value::Null);
    let f = value["fault"]["fault"]
        .as_str()
        .unwrap_or("fault")
        .to_string();
    recorder.nemesis(&f, value, Map::new());
}

/// The nemesis steps of `history` that were not installed, with their outcome: a trial whose
/// faults were skipped proves nothing.
pub fn faults_not_installed(history: &History) -> Vec<String> {
    history
        .ops
        .iter()
        .filter(|o| o.process == histories::Process::Nemesis)
        .filter(|o| o.value["outcome"] != "installed")
        .map(|o| format!("{} {}", o.f, o.value))
        .collect()
}

/// A register op over `keys` keys: reads, unique writes, and cas from a recent value.
pub fn register_op(rng: &mut ChaCha8Rng, next: u64, keys: u64) -> Operation {
    let key = rng.gen_range(0..keys);
    Operation::Register(match rng.gen_range(0..10) {
        0..=4 => RegisterOp::Read { key },
        5..=7 => RegisterOp::Write { key, value: next },
        _ => {
            let from = Some(next.saturating_sub(rng.gen_range(1..6)));
            RegisterOp::Cas {
                key,
                from,
                to: next,
            }
        }
    })
}
