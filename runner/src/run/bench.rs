//! The recording benchmark: the same load against the same cluster with and without recording,
//! in alternating trials, to measure the ops/s the runner records and what recording costs.

use super::driver::BookingDriver;
use super::seeds::{derive, Stream};
use super::system::{adapter, Driver};
use super::workload_loop::{drive, Workers};
use super::RunConfig;
use crate::cluster::{Cluster, ClusterConfig};
use crate::generator::Clients;
use crate::record::Recorder;
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
}

/// CPU seconds this process has used (user + system), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit(')').next()?.split_whitespace().collect::<Vec<_>>();
            // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command.
            Some(rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    ticks as f64 / hz
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
    driver: Arc<Driver>,
    names: Vec<String>,
    dir: PathBuf,
}

impl Load<'_> {
    /// Runs the load for `seconds` from the same seed, recording it to a fresh file in the temp
    /// directory when `recorded`.
    fn trial(&self, recorded: bool, seconds: f64, n: usize) -> Result<Trial, RunError> {
        let cpu = cpu_seconds();
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
            self.config.nodes,
            0.0,
            (seconds * 1e9) as u64,
        );
        let workers = Arc::new(Workers {
            generator: Mutex::new(generator),
            driver: self.driver.clone(),
            recorder: recorder.clone(),
            start,
            names: self.names.clone(),
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
        Ok(Trial {
            recorded,
            calls,
            seconds,
            ops_per_s: calls as f64 / seconds,
            cpu_us_per_call: (cpu_seconds() - cpu) * 1e6 / calls.max(1) as f64,
        })
    }
}

/// Runs `trials` unrecorded and `trials` recorded trials, interleaved (see [`recorded_in`]) after
/// an uncounted warm-up, each of `config.time_limit_s` seconds at unlimited rate with
/// `config.concurrency` clients and no faults, against one cluster started from `config`.
pub fn bench_record(config: &RunConfig, trials: usize) -> Result<BenchReport, RunError> {
    config.validate()?;
    if config.system.name != "booking" {
        return Err(RunError::Invalid {
            option: "system",
            message: format!(
                "the recording benchmark drives the booking service, not {}",
                config.system.name
            ),
        });
    }
    let mut cluster = Cluster::start(
        ClusterConfig {
            nodes: config.nodes,
            backend: config.backend,
            clock: false,
            ..ClusterConfig::default()
        },
        adapter(config)?,
    )?;
    let addrs: Vec<_> = (0..config.nodes).map(|i| cluster.addr(NodeId(i))).collect();
    let tmp =
        TempDir(std::env::temp_dir().join(format!("rift-bench-record-{}", std::process::id())));
    std::fs::create_dir_all(&tmp.0).map_err(RunError::io("create", &tmp.0))?;
    let load = Load {
        config,
        runtime: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(RunError::Runtime)?,
        driver: Arc::new(Driver::Booking(BookingDriver::new(
            &addrs,
            Duration::from_millis(config.op_timeout_ms),
        ))),
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
    drop(load);
    cluster.teardown();
    let results = results?;
    let of = |rec: bool| {
        median(
            results
                .iter()
                .filter(|t| t.recorded == rec)
                .map(|t| t.ops_per_s)
                .collect(),
        )
    };
    let (recorded, unrecorded) = (of(true), of(false));
    let cpu = |rec: bool| {
        median(
            results
                .iter()
                .filter(|t| t.recorded == rec)
                .map(|t| t.cpu_us_per_call)
                .collect(),
        )
    };
    Ok(BenchReport {
        overhead: if unrecorded > 0.0 {
            1.0 - recorded / unrecorded
        } else {
            0.0
        },
        cpu_us_per_call: (cpu(true), cpu(false)),
        trials: results,
        recorded,
        unrecorded,
    })
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
}
