//! The linearizability checker on the corpora behind issue #2's speed targets, read from
//! /work/shared/corpora (`../shared/corpora` from the workspace root; never copied):
//!
//! - `porcupine-kv c50-ok`: Porcupine's 50-client kv history (append-kv, split by key). Target:
//!   under 20 ms.
//! - `knossos corpus`: all 122 histories of the Knossos corpus, each against the model of its
//!   directory (cas-register, multi-register, mutex). Target: under 100 ms.
//!
//! Run: `cargo bench -p checker --bench linear`. Before criterion measures the checks (histories
//! parsed beforehand), each workload is run on its own and reported on stderr: ops and calls
//! checked per second, CPU time per check, memo entries (configurations the searches explored)
//! and the peak RSS of one run (VmHWM, reset through /proc/self/clear_refs first). The same run times reading the
//! files (parsing is the histories crate's work, not the checker's); criterion also measures the
//! Knossos corpus read and checked, as `rift check` does it but for the process start. Every
//! verdict is asserted.

use checker::linear::{check_history, Options, Report};
use checker::model::spec::ModelKind;
use checker::model::ModelSpec;
use checker::Verdict;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use histories::formats::read_path;
use histories::History;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn corpora() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora")).to_path_buf()
}

/// One history to check, with the model and the verdict it must get.
struct Case {
    name: String,
    history: History,
    spec: ModelSpec,
    valid: bool,
}

/// The expected verdict of each file of a corpus, from its EXPECTED.tsv.
fn expected(corpus: &Path) -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(corpus.join("EXPECTED.tsv")).expect("EXPECTED.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("a column");
    let (file, verdict) = (col("file"), col("expected"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            let valid = !cells[verdict].starts_with("not-linearizable");
            (cells[file].to_string(), valid)
        })
        .collect()
}

/// Reads the cases of a corpus (every file its EXPECTED.tsv lists and that exists).
fn load(corpus: &str, model: impl Fn(&str) -> ModelKind) -> Vec<Case> {
    let dir = corpora().join(corpus);
    expected(&dir)
        .into_iter()
        .filter(|(file, _)| dir.join(file).exists())
        .map(|(file, valid)| Case {
            history: read_path(&dir.join(&file), None).expect("a readable history"),
            spec: ModelSpec::new(model(&file)),
            name: file,
            valid,
        })
        .collect()
}

fn knossos_model(file: &str) -> ModelKind {
    match file.split('/').next() {
        Some("cas-register") => ModelKind::CasRegister,
        Some("multi-register") => ModelKind::MultiRegister,
        Some("mutex") => ModelKind::Mutex,
        other => panic!("no model for {other:?}"),
    }
}

/// Checks every case; asserts its verdict; the reports.
fn check_all(cases: &[Case]) -> Vec<Report> {
    cases
        .iter()
        .map(|c| {
            let report = check_history(&c.history, &c.spec, &Options::default()).expect("checks");
            let want = if c.valid {
                Verdict::Valid
            } else {
                Verdict::Invalid
            };
            assert_eq!(report.verdict, want, "{}: {report}", c.name);
            report
        })
        .collect()
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak RSS to the current RSS (Linux: "5" in /proc/self/clear_refs).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU time used so far by every thread of this process (ns): the sum of the threads' run times
/// from /proc/self/task/*/schedstat (threads that have exited are not counted, so measure while
/// the thread pool lives).
fn cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Runs a workload once and reports its figures on stderr; then `repeat` more times for the
/// median wall time and the mean CPU time of a check (CPU time is steadier on a loaded machine).
fn report_once(label: &str, cases: &[Case], read: Duration, repeat: u32) {
    let reset = reset_peak_rss();
    let before = status_kib("VmRSS:").unwrap_or(0);
    let reports = check_all(cases);
    let peak = status_kib("VmHWM:").unwrap_or(0);
    let cpu_start = cpu_ns();
    let mut walls: Vec<f64> = (0..repeat)
        .map(|_| {
            let t = Instant::now();
            check_all(cases);
            t.elapsed().as_secs_f64()
        })
        .collect();
    let cpu = cpu_start
        .zip(cpu_ns())
        .map(|(a, b)| (b - a) as f64 / 1e9 / repeat as f64);
    walls.sort_by(f64::total_cmp);
    let wall = walls[walls.len() / 2];
    let ops: usize = cases.iter().map(|c| c.history.len()).sum();
    let calls: usize = reports.iter().map(|r| r.calls).sum();
    let memo: u64 = reports.iter().map(|r| r.memo_entries).sum();
    let searched: usize = reports.iter().map(|r| r.keys_searched).sum();
    let fast: usize = reports.iter().map(|r| r.keys_fast_path).sum();
    eprintln!(
        "{label}: {} histories, {ops} ops, {calls} calls checked; read in {:.1} ms. Checked in \
         {:.2} ms (median of {repeat}) = {:.0} ops/s, {:.0} calls/s; CPU time {:.2} ms per check \
         (mean). Keys: {fast} by dependency graph, {searched} searched; {memo} memo entries. \
         Peak RSS {:.1} MiB{}, {:.1} MiB above the RSS before the check.",
        cases.len(),
        read.as_secs_f64() * 1e3,
        wall * 1e3,
        ops as f64 / wall,
        calls as f64 / wall,
        cpu.map_or(f64::NAN, |c| c * 1e3),
        peak as f64 / 1024.0,
        if reset {
            ""
        } else {
            " (since the process started)"
        },
        peak.saturating_sub(before) as f64 / 1024.0,
    );
}

fn bench(c: &mut Criterion) {
    let t = Instant::now();
    let kv: Vec<Case> = load("porcupine-kv", |_| ModelKind::AppendKv)
        .into_iter()
        .filter(|c| c.name == "c50-ok.txt")
        .collect();
    let kv_read = t.elapsed();
    assert_eq!(kv.len(), 1, "c50-ok.txt is in the porcupine-kv corpus");
    let t = Instant::now();
    let knossos = load("knossos", knossos_model);
    let knossos_read = t.elapsed();
    assert!(
        knossos.len() > 100,
        "only {} Knossos histories",
        knossos.len()
    );

    report_once("porcupine-kv c50-ok", &kv, kv_read, 50);
    report_once("knossos corpus", &knossos, knossos_read, 50);

    let mut group = c.benchmark_group("linear");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for (name, cases) in [("porcupine-kv c50-ok", &kv), ("knossos corpus", &knossos)] {
        let calls: usize = check_all(cases).iter().map(|r| r.calls).sum();
        group.throughput(Throughput::Elements(calls as u64));
        group.bench_function(name, |b| b.iter(|| check_all(cases)));
    }
    // What `rift check` does for the corpus, but for the process start: read every file, check it.
    group.bench_function("knossos corpus, read and checked", |b| {
        b.iter(|| check_all(&load("knossos", knossos_model)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
