//! One run, start to end: config -> cluster -> generator + nemesis -> history -> checker ->
//! verdict -> store.

use super::check::{check, Checked};
use super::nemesis_loop::{CurrentFault, NemesisRun};
use super::page;
use super::seeds::{derive, fresh, Stream};
use super::stats::stats;
use super::workload_loop::{client_side, drive, final_reads, Workers};
use super::RunConfig;
use crate::cluster::{Cluster, ClusterConfig, RunId};
use crate::generator::Clients;
use crate::nemesis::Plan;
use crate::record::Recorder;
use crate::store::{read_faults, HostFacts, Results, RunDir, RunMeta, StoredRun};
use crate::system::{Adapter, DriverContext, Registry, SystemUnderTest};
use crate::workload::Workload;
use crate::RunError;
use faults::NodeId;
use histories::{Header, History};
use indicatif::{ProgressBar, ProgressStyle};
use report::FaultBand;
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How a run is carried out, beyond its config.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Show a progress bar on stderr (hidden anyway when stderr is not a terminal).
    pub progress: bool,
    /// Apply this fault schedule instead of drawing one from the seed (replay).
    pub plan: Option<Plan>,
    /// Print what happens (seed, omissions) on stderr.
    pub verbose: bool,
    /// The run directory this run replays: stored in its run.json, and the test's `latest` link
    /// is left on the originals.
    pub replay_of: Option<std::path::PathBuf>,
}

/// The runtime handles and facts of one run, apart from its config: the seed it resolved to,
/// its directory, when it started, and the cluster's omissions.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// The seed every random choice derived from.
    pub seed: u64,
    /// The run's directory in the store.
    pub dir: RunDir,
    /// What the cluster could not do (fault kinds left out, and why).
    pub omissions: Vec<String>,
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The config as run (seed filled in).
    pub config: RunConfig,
    /// Seed, directory, omissions.
    pub context: RunContext,
    /// The history.
    pub history: History,
    /// The plan the nemesis followed.
    pub plan: Plan,
    /// The faults as applied, each from its start to the step that undid it.
    pub faults: Vec<FaultBand>,
    /// The verdicts, counts and coverage (also in results.json).
    pub results: Results,
    /// The checkers' judgements, and the shrunk witness of an invalid verdict or why there is
    /// none.
    pub checked: Checked,
    /// The run's report page (report.html in its directory).
    pub report: PathBuf,
}

/// The command that reproduces a stored run.
pub fn reproduce_command(dir: &RunDir) -> String {
    format!(
        "rift run --config {}",
        dir.path.join("config.toml").display()
    )
}

/// Carries out one run of the system `registry` gives for the config: starts the cluster, drives
/// the clients while the nemesis follows its plan, heals, waits the quiet period, reads from every
/// node, tears the cluster down, checks the history and stores everything. Errors are rift's own
/// failures (exit 3), never verdicts.
pub fn run(
    mut config: RunConfig,
    registry: &Registry,
    options: &RunOptions,
) -> Result<RunOutcome, RunError> {
    let system = config.resolve(registry)?;
    let workload = config.workload.workload()?;
    let seed = *config.seed.get_or_insert_with(fresh);
    let adapter = system.adapter()?;
    let started = SystemTime::now();
    let latest = options.replay_of.is_none();
    let dir = RunDir::create(&config.store, &config.test, started, latest)?;
    let run_id = RunId::random();
    let config_toml = dir.path.join("config.toml");
    std::fs::write(&config_toml, config.to_toml()).map_err(RunError::io("write", &config_toml))?;
    let meta = RunMeta {
        config: config.clone(),
        run_id: run_id.to_string(),
        replay_of: options.replay_of.clone(),
        seed,
        rift_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at: humantime::format_rfc3339_millis(started).to_string(),
        host: HostFacts::here(),
        reproduce: reproduce_command(&dir),
    };
    dir.write_meta(&meta)?;
    if options.verbose {
        eprintln!(
            "rift: run {run_id} of {} (seed {seed}); stored in {}",
            system.describe(),
            dir.path.display()
        );
    }
    let stored = Stored {
        config,
        system,
        adapter,
        workload,
        seed,
        dir: dir.clone(),
        run_id,
        meta,
    };
    carry_out(stored, options).inspect_err(|e| dir.write_error(e))
}

/// A run as stored before it starts: its config (seed filled in), system and its adapter,
/// workload, directory and run.json.
struct Stored {
    config: RunConfig,
    system: Arc<dyn SystemUnderTest>,
    adapter: Arc<dyn Adapter>,
    workload: &'static dyn Workload,
    seed: u64,
    dir: RunDir,
    run_id: RunId,
    meta: RunMeta,
}

/// The run itself, once stored: cluster, clients and nemesis, final reads, teardown, checks and
/// results.
fn carry_out(stored: Stored, options: &RunOptions) -> Result<RunOutcome, RunError> {
    let Stored {
        config,
        system,
        adapter,
        workload,
        seed,
        dir,
        run_id,
        meta,
    } = stored;
    let mut cluster = Cluster::start(
        ClusterConfig {
            nodes: config.nodes,
            backend: config.backend,
            ssh: config.ssh.clone(),
            ready_timeout_ms: (config.ready_timeout_s * 1000.0) as u64,
            run_id: Some(run_id),
            clock: config.nemesis.faults.contains(&faults::FaultKind::Clock),
            ..ClusterConfig::default()
        },
        adapter,
    )?;
    let omissions: Vec<String> = cluster
        .omissions()
        .iter()
        .map(|o| format!("{:?}: {}", o.kind, o.reason))
        .collect();
    if options.verbose {
        for o in &omissions {
            eprintln!("rift: left out {o}");
        }
    }
    let names: Vec<String> = (0..config.nodes).map(|i| NodeId(i).to_string()).collect();
    let limit = config.time_limit_ns();
    let plan = match &options.plan {
        Some(p) => p.clone(),
        None => Plan::draw(
            &config.nemesis,
            config.nodes,
            limit,
            derive(seed, Stream::Nemesis),
        ),
    };

    let mut header = Header::default();
    for (k, v) in [
        ("test", json!(config.test)),
        ("seed", json!(seed)),
        ("model", json!(workload.model())),
        ("workload", json!(workload.kind())),
        ("system", json!(system.describe())),
        ("final_reads", json!("marked")),
    ] {
        header.meta.insert(k.into(), v);
    }
    if let Some(init) = workload.init(&config.workload) {
        header.meta.insert("init".into(), init);
    }
    let start = Instant::now();
    let recorder = Recorder::create(dir.history(), header, start, true)?;
    let generator = Clients::new(
        config.workload.source()?,
        derive(seed, Stream::Ops),
        config.rate,
        limit,
    );
    let op_timeout = Duration::from_millis(config.op_timeout_ms);
    let (runtime, driver) = client_side(
        &*system,
        &DriverContext {
            nodes: cluster.specs(),
            workload: workload.kind(),
            workload_config: config.workload.clone(),
            op_timeout,
            log_dir: Some(dir.nodes()),
        },
    )?;
    let workers = Arc::new(Workers {
        generator: Mutex::new(generator),
        driver,
        recorder: Some(recorder.clone()),
        start,
        names,
        op_timeout,
        next_process: AtomicU64::new(config.concurrency as u64),
        completed: AtomicU64::new(0),
    });
    let current: CurrentFault = Arc::default();
    let stop = AtomicBool::new(false);
    let bar = progress_bar(options.progress, config.time_limit_s);

    let nemesis_result = std::thread::scope(|scope| {
        let nemesis = scope.spawn(|| {
            NemesisRun {
                cluster: &mut cluster,
                plan: plan.clone(),
                seed: derive(seed, Stream::Injector),
                recorder: recorder.clone(),
                dir: &dir,
                stop: &stop,
                current: current.clone(),
            }
            .run()
        });
        runtime.block_on(async {
            let ticker = tokio::spawn(tick(bar.clone(), workers.clone(), current.clone()));
            drive(workers.clone(), config.concurrency).await;
            ticker.abort();
        });
        stop.store(true, Ordering::Relaxed);
        nemesis.join()
    });
    bar.finish_and_clear();
    match nemesis_result {
        Ok(r) => r?,
        Err(_) => return Err(RunError::Panicked("nemesis")),
    }
    if let Err(why) = cluster.wait_all_ready(READY_AFTER_HEAL) {
        eprintln!("rift: {why}; reading anyway");
    }
    std::thread::sleep(Duration::from_secs_f64(config.quiet_s));
    let reads = workload.final_reads(&config.workload);
    let settle = Duration::from_secs_f64(config.settle_s);
    let failure = workers.driver.failure();
    runtime.block_on(async {
        if failure.is_none() {
            final_reads(workers.clone(), &reads, settle, workload.reads_sets()).await;
        }
        workers.driver.finish().await;
    });
    drop(runtime);
    let history = recorder.finish()?;
    cluster.keep_logs(&dir.nodes());
    let report = cluster.teardown();
    if !report.problems.is_empty() {
        eprintln!("rift: teardown: {}", report.problems.join("; "));
    }

    let checked = check(&config, &history);
    let mut stored = StoredRun {
        faults: read_faults(&dir)?,
        dir: dir.clone(),
        meta,
        history,
        results: None,
    };
    let faults = page::bands(&stored);
    let verdict = checked.verdict();
    let results = Results {
        coverage: Some(report::coverage(&stored.history, &faults, &verdict)),
        verdict,
        checks: checked.results(),
        stats: stats(&stored.history),
    };
    dir.write_results(&results)?;
    stored.results = Some(results.clone());
    let report = page::write(&stored, &checked)?;
    if let Some(failure) = failure {
        return Err(RunError::DriverFailed {
            failure,
            history: dir.history(),
            verdict: results.verdict.to_string(),
        });
    }
    Ok(RunOutcome {
        config,
        context: RunContext {
            seed,
            dir,
            omissions,
        },
        history: stored.history,
        plan,
        faults,
        results,
        checked,
        report,
    })
}

/// How long the nodes may take to be ready again after the final heal (a Redis failover and
/// demotion, an etcd election).
const READY_AFTER_HEAL: Duration = Duration::from_secs(30);

fn progress_bar(show: bool, seconds: f64) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(seconds.ceil() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} s  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Updates the progress bar with ops/s and the current fault, four times a second.
async fn tick(bar: ProgressBar, workers: Arc<Workers>, current: CurrentFault) {
    let mut last = (Instant::now(), 0u64);
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let done = workers.completed.load(Ordering::Relaxed);
        let rate = (done - last.1) as f64 / last.0.elapsed().as_secs_f64();
        last = (Instant::now(), done);
        let fault = current.lock().map(|c| c.clone()).unwrap_or_default();
        let fault = if fault.is_empty() {
            "none".to_string()
        } else {
            fault
        };
        bar.set_position(workers.now() / 1_000_000_000);
        bar.set_message(format!("{rate:>7.0} ops/s  fault: {fault}"));
    }
}
