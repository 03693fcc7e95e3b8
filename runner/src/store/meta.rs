//! What the run store's JSON files hold.

use crate::run::RunConfig;
use checker::Verdict;
use faults::FaultRecord;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The host a run ran on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostFacts {
    /// The host's name.
    pub hostname: String,
    /// The kernel (uname -sr).
    pub kernel: String,
    /// CPUs available.
    pub cpus: usize,
    /// Whether rift ran as root.
    pub root: bool,
}

impl HostFacts {
    /// This host's facts.
    pub fn here() -> HostFacts {
        let uname = nix::sys::utsname::uname().ok();
        let text = |f: fn(&nix::sys::utsname::UtsName) -> &std::ffi::OsStr| {
            uname
                .as_ref()
                .map(|u| f(u).to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        HostFacts {
            hostname: text(|u| u.nodename()),
            kernel: format!("{} {}", text(|u| u.sysname()), text(|u| u.release())),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            root: nix::unistd::geteuid().is_root(),
        }
    }
}

/// run.json: the full config (its seed filled in), rift's version, when and where it ran, and the
/// command that reproduces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// The config, with `seed` set.
    pub config: RunConfig,
    /// The run's id: its namespaces, temp files and state file carry it (`rift cleanup
    /// --run-id`).
    #[serde(default)]
    pub run_id: String,
    /// The run directory this run replays, if it is a replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_of: Option<std::path::PathBuf>,
    /// The seed (also in the config), here for people reading the file.
    pub seed: u64,
    /// rift's version.
    pub rift_version: String,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// The host.
    pub host: HostFacts,
    /// A command that runs the same config with the same seed.
    pub reproduce: String,
}

/// One line of faults.jsonl: a fault as applied, with its planned offset and the times the
/// mechanism started and returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultLine {
    /// The offset the plan gave it (ns since the start); `null` for the final phase.
    pub planned_at: Option<u64>,
    /// When the mechanism was called (ns since the start).
    pub start: u64,
    /// When it returned (ns since the start).
    pub end: u64,
    /// The fault, what it resolved to and its outcome.
    #[serde(flatten)]
    pub record: FaultRecord,
}

/// One checker's conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The checker (linearizable, booking-invariants, convergence, ...).
    pub checker: String,
    /// Its verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Its explanation in words (the witness, the anomalies).
    pub explanation: String,
    /// Its report as data, as the checker gives it.
    #[serde(default)]
    pub details: Value,
}

impl From<&checker::Judgement> for CheckResult {
    fn from(j: &checker::Judgement) -> CheckResult {
        CheckResult {
            checker: j.checker.clone(),
            verdict: j.verdict.clone(),
            explanation: j.explanation.clone(),
            details: j.details(),
        }
    }
}

/// Counts and timings of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    /// Client calls by outcome.
    pub ok: u64,
    /// Calls that definitely failed.
    pub fail: u64,
    /// Calls with unknown outcome.
    pub info: u64,
    /// Seconds the workload ran.
    pub duration_s: f64,
    /// Completed calls per second.
    pub ops_per_s: f64,
    /// Share of calls invoked while a fault was in force that returned ok.
    pub availability_under_faults: Option<f64>,
    /// Median latency of ok calls, ms.
    pub p50_ms: Option<f64>,
    /// 99th percentile latency of ok calls, ms.
    pub p99_ms: Option<f64>,
}

/// results.json: the overall verdict, each checker's, the run's counts, and what the verdict
/// rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Every checker's verdict merged (Invalid > Unknown > Valid).
    pub verdict: Verdict,
    /// Each checker's result.
    pub checks: Vec<CheckResult>,
    /// Counts and timings.
    pub stats: RunStats,
    /// What the verdict rests on: faults skipped or indeterminate, operations never ok under a
    /// fault, warnings when a valid verdict rests on little evidence (absent in runs stored by
    /// rift before it had them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<report::Coverage>,
}
