//! The recording benchmark: the same load against the same cluster with and without recording,
//! in alternating trials, to measure the ops/s the runner records and what recording costs.

use super::seeds::{derive, Stream};
use super::workload_loop::{client_side, drive, Workers};
use super::RunConfig;
use crate::cluster::{Cluster, ClusterConfig};
use crate::generator::Clients;
use crate::record::Recorder;
use crate::system::{Driver, DriverContext, Registry};
use crate::RunError;
use faults::NodeId;
use histories::Header;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One trial's throughput.
#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    /// Whether every call was recorded to a history file.
    pub recorded: bool,
    /// Calls completed.
    pub calls: u64,
    /// Seconds the trial ran.
    pub seconds: f64,
    /// Calls per second.
    pub ops_per_s: f64,
    /// CPU time rift itself spent per call (user + system, all threads), in microseconds: the
    /// cost of recording, less sensitive than throughput to other load on the machine.
    pub cpu_us_per_call: f64,
    /// CPU time rift and the cluster's nodes spent per call, in microseconds: what a call costs
    /// the machine.
    pub total_cpu_us_per_call: f64,
}

/// The benchmark's result: every trial, and the medians.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// The trials, in the order run (unrecorded and recorded alternate).
    pub trials: Vec<Trial>,
    /// Median ops/s of the recorded trials.
    pub recorded: f64,
    /// Median ops/s of the unrecorded trials.
    pub unrecorded: f64,
    /// 1 - recorded / unrecorded: the share of throughput recording costs.
    pub overhead: f64,
    /// Median CPU microseconds per call of rift, recorded and unrecorded.
    pub cpu_us_per_call: (f64, f64),
    /// Median CPU microseconds per call of rift and the nodes, recorded and unrecorded.
    pub total_cpu_us_per_call: (f64, f64),
    /// 1 - unrecorded / recorded total CPU per call: the share of throughput recording costs when
    /// the load is bound by the machine's CPUs (as on an idle machine), read from CPU time, which
    /// other load on the machine distorts less than throughput.
    pub cpu_overhead: f64,
}

/// CPU seconds used so far (user + system, all threads), from /proc: by this process, and by it
/// and every process descended from it (the cluster's nodes).
fn cpu_seconds() -> (f64, f64) {
    let me = std::process::id();
    // (pid, parent pid, ticks) of every process.
    let procs: Vec<(u32, u32, u64)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse().ok()?;
            let (ppid, ticks) = stat(&std::fs::read_to_string(e.path().join("stat")).ok()?)?;
            Some((pid, ppid, ticks))
        })
        .collect();
    let mut tree = vec![me];
    let mut i = 0;
    while let Some(&parent) = tree.get(i) {
        tree.extend(procs.iter().filter(|p| p.1 == parent).map(|p| p.0));
        i += 1;
    }
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    let seconds = |pids: &[u32]| {
        let ticks: u64 = procs
            .iter()
            .filter(|p| pids.contains(&p.0))
            .map(|p| p.2)
            .sum();
        ticks as f64 / hz
    };
    (seconds(&[me]), seconds(&tree))
}

/// The parent pid and CPU ticks (utime + stime) in the text of a /proc/PID/stat file.
fn stat(text: &str) -> Option<(u32, u64)> {
    let rest: Vec<&str> = text.rsplit(')').next()?.split_whitespace().collect();
    // After the command come the state and the parent pid; fields 14 and 15 (utime, stime) are
    // the 12th and 13th.
    let ticks = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
    Some((rest.get(1)?.parse().ok()?, ticks))
}

/// The median of `v` (the mean of the middle two for an even count; 0 when empty).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// A temp directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether trial `t` (from 0) is recorded: unrecorded and recorded in the order U R R U, repeated,
/// so that a drift over the run (the service's state grows, the machine's other load changes)
/// weighs on both kinds alike instead of always on the kind that runs second.
fn recorded_in(t: usize) -> bool {
    matches!(t % 4, 1 | 2)
}

/// Seconds of unrecorded load before the trials, not counted: the clients connect and the
/// service warms up.
const WARM_UP_S: f64 = 1.0;

/// The load of one trial: the same for every trial but for the recorder.
struct Load<'a> {
    config: &'a RunConfig,
    runtime: tokio::runtime::Runtime,
    driver: Arc<dyn Driver>,
    names: Vec<String>,
    dir: PathBuf,
}

impl Load<'_> {
    /// Runs the load for `seconds` from the same seed, recording it to a fresh file in the temp
    /// directory when `recorded`.
    fn trial(&self, recorded: bool, seconds: f64, n: usize) -> Result<Trial, RunError> {
        let (cpu, total_cpu) = cpu_seconds();
        let start = Instant::now();
        let recorder = if recorded {
            let path = self.dir.join(format!("history-{n}.jsonl"));
            Some(Recorder::create(path, Header::default(), start, false)?)
        } else {
            None
        };
        let generator = Clients::new(
            self.config.workload.source()?,
            derive(self.config.seed.unwrap_or(1), Stream::Ops),
            0.0,
            (seconds * 1e9) as u64,
        );
        let workers = Arc::new(Workers {
            generator: Mutex::new(generator),
            driver: self.driver.clone(),
            recorder: recorder.clone(),
            start,
            names: self.names.clone(),
            op_timeout: Duration::from_millis(self.config.op_timeout_ms),
            next_process: AtomicU64::new(self.config.concurrency as u64),
            completed: AtomicU64::new(0),
        });
        self.runtime
            .block_on(drive(workers.clone(), self.config.concurrency));
        let seconds = start.elapsed().as_secs_f64();
        if let Some(r) = recorder {
            r.finish()?;
        }
        let calls = workers.completed.load(Ordering::Relaxed);
        let (cpu_end, total_cpu_end) = cpu_seconds();
        let per_call = |s: f64| s * 1e6 / calls.max(1) as f64;
        Ok(Trial {
            recorded,
            calls,
            seconds,
            ops_per_s: calls as f64 / seconds,
            cpu_us_per_call: per_call(cpu_end - cpu),
            total_cpu_us_per_call: per_call(total_cpu_end - total_cpu),
        })
    }
}

/// Runs `trials` unrecorded and `trials` recorded trials, interleaved (see [`recorded_in`]) after
/// an uncounted warm-up, each of `config.time_limit_s` seconds at unlimited rate with
/// `config.concurrency` clients and no faults, against one cluster of the config's system
/// (from `registry`).
pub fn bench_record(
    config: &RunConfig,
    registry: &Registry,
    trials: usize,
) -> Result<BenchReport, RunError> {
    let mut config = config.clone();
    let system = config.resolve(registry)?;
    let config = &config;
    let mut cluster = Cluster::start(
        ClusterConfig {
            nodes: config.nodes,
            backend: config.backend,
            clock: false,
            ..ClusterConfig::default()
        },
        system.adapter()?,
    )?;
    let tmp =
        TempDir(std::env::temp_dir().join(format!("rift-bench-record-{}", std::process::id())));
    std::fs::create_dir_all(&tmp.0).map_err(RunError::io("create", &tmp.0))?;
    let (runtime, driver) = client_side(
        &*system,
        &DriverContext {
            nodes: cluster.specs(),
            workload: config.workload.workload()?.kind(),
            workload_config: config.workload.clone(),
            op_timeout: Duration::from_millis(config.op_timeout_ms),
            log_dir: Some(tmp.0.clone()),
        },
    )?;
    let load = Load {
        config,
        runtime,
        driver,
        names: (0..config.nodes).map(|i| NodeId(i).to_string()).collect(),
        dir: tmp.0.clone(),
    };
    let run = || -> Result<Vec<Trial>, RunError> {
        load.trial(false, WARM_UP_S.min(config.time_limit_s), 0)?;
        (0..2 * trials)
            .map(|t| load.trial(recorded_in(t), config.time_limit_s, t + 1))
            .collect()
    };
    let results = run();
    load.runtime.block_on(load.driver.finish());
    drop(load);
    cluster.teardown();
    let results = results?;
    let of = |rec: bool, x: fn(&Trial) -> f64| {
        median(
            results
                .iter()
                .filter(|t| t.recorded == rec)
                .map(x)
                .collect(),
        )
    };
    let (recorded, unrecorded) = (of(true, |t| t.ops_per_s), of(false, |t| t.ops_per_s));
    let cpu = |x: fn(&Trial) -> f64| (of(true, x), of(false, x));
    let total = cpu(|t| t.total_cpu_us_per_call);
    Ok(BenchReport {
        overhead: share(recorded, unrecorded),
        cpu_us_per_call: cpu(|t| t.cpu_us_per_call),
        total_cpu_us_per_call: total,
        cpu_overhead: share(total.1, total.0),
        trials: results,
        recorded,
        unrecorded,
    })
}

/// 1 - a / b, or 0 when b is not positive.
fn share(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        1.0 - a / b
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_four_trials_run_two_of_each_kind_in_mirrored_order() {
        let kinds: Vec<bool> = (0..8).map(recorded_in).collect();
        assert_eq!(kinds, [false, true, true, false, false, true, true, false]);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![4.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(vec![]), 0.0);
    }

    #[test]
    fn a_stat_line_gives_the_parent_and_the_cpu_ticks_even_with_a_parenthesis_in_the_name() {
        let line = "42 (a) b) S 7 42 42 0 -1 4194560 100 0 0 0 25 17 0 0 20 0 3 0 5 0 0";
        assert_eq!(stat(line), Some((7, 42)));
        assert_eq!(stat("42 (x) S"), None);
    }

    #[test]
    fn a_childs_cpu_counts_in_the_tree_and_not_in_this_process() {
        let (me, tree) = cpu_seconds();
        let mut child = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut children = 0.0;
        while children < 0.2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            let (me_now, tree_now) = cpu_seconds();
            children = (tree_now - tree) - (me_now - me);
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(children >= 0.2, "the busy child used {children} s of CPU");
    }
}
