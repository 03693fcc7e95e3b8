//! Hard single-register histories: long runs of one register with many crashed clients and
//! colliding values, as `rift gen --calls 100000 --keys 1 --processes P --info-rate R
//! --colliding` writes them (seed 0, values 0..5, cas on). Targets: P = 20, R = 0.05 checked
//! in under 5 s and 2 GiB; P = 50, R = 0.1 decided or Unknown within 60 s and 4 GiB.
//!
//! Run: `cargo bench -p checker --bench hard_register`. Each history is generated once, then
//! checked `RUNS` times (the 50-process one once: it takes its whole time limit); reported on
//! stdout: the verdict, median wall time, mean CPU time of the process's threads, memo
//! configurations and peak RSS of one check (VmHWM, reset through /proc/self/clear_refs before
//! it; the history itself, about 0.1 GB, is in it). The verdicts are asserted.

use checker::gen::{generate, GenConfig};
use checker::linear::{check_history, Options};
use checker::model::spec::ModelKind;
use checker::model::ModelSpec;
use checker::Verdict;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time used so far by every thread of this process (ns).
fn cpu_ns() -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) {
            total += stat
                .split_whitespace()
                .next()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    total
}

fn bench(processes: u64, info_rate: f64, time_limit: Duration, runs: usize) {
    let history = generate(&GenConfig {
        seed: 0,
        calls: 100_000,
        keys: 1,
        processes,
        info_rate,
        unique_values: false,
        value_range: 5,
        anomaly_rate: 0.0,
        cas: true,
    });
    let spec = ModelSpec::new(ModelKind::CasRegister);
    let options = Options {
        time_limit: Some(time_limit),
        // What the memos hold and may allocate at once, without rift's heap count.
        memory_limit: Some(3 << 30),
        ..Options::default()
    };
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut peaks = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let (t, cpu) = (Instant::now(), cpu_ns());
        let report = check_history(&history, &spec, &options).expect("a check");
        walls.push(t.elapsed().as_secs_f64());
        cpus.push((cpu_ns() - cpu) as f64 / 1e9);
        peaks.push(status_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0);
        last = Some(report);
    }
    let report = last.expect("a run");
    walls.sort_by(f64::total_cmp);
    println!(
        "{processes} processes, info rate {info_rate}: {} in {:.2} s median wall of {runs} (min {:.2}, max {:.2}), {:.2} s CPU mean, {} memo configurations, peak RSS {:.0} MiB (max {:.0})",
        report.verdict,
        walls[walls.len() / 2],
        walls[0],
        walls[walls.len() - 1],
        cpus.iter().sum::<f64>() / runs as f64,
        report.memo_entries,
        peaks.iter().sum::<f64>() / runs as f64,
        peaks.iter().copied().fold(0.0, f64::max),
    );
    match processes {
        20 => assert_eq!(report.verdict, Verdict::Valid, "{report}"),
        _ => assert_ne!(report.verdict, Verdict::Invalid, "{report}"),
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs it with no argument: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    bench(20, 0.05, Duration::from_secs(60), RUNS);
    bench(50, 0.1, Duration::from_secs(60), 1);
}
