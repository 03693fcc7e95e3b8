//! The transactional checker on a seeded, valid list-append history: 1,000,000 transactions,
//! 1,000 active keys (retired after 32 appends, as Elle's generator does), 10 processes, checked
//! for strict serializability (all edge kinds, all cycle rounds).
//!
//! Run: `cargo bench -p checker --bench txn`. First, streamed: the generator hands each op to a
//! `TxnReader`, so the history is never in memory (as `rift check` can read a JSONL file); prints
//! transactions per second and peak RSS (VmHWM). Then in memory: the whole `History` is built
//! (serde_json values: about 2 KiB per transaction) and checked, the figure criterion measures.
//!
//! Environment: `TXN_BENCH_N` overrides the number of transactions; `TXN_BENCH_MODEL` the model
//! the streamed check asks about (a name as `rift check --consistency-model` takes it; the
//! in-memory part always checks strict serializability); `TXN_BENCH_STREAMED_ONLY=1` stops after
//! the streamed check (for sizes whose `History` would not fit in memory, and so that the
//! process's peak RSS is the streamed check's). BENCHMARKS.md has the scaling runs, up to 22
//! million transactions checked for strong session serializability.

use checker::txn::synth::{list_append, list_append_ops, SynthOptions};
use checker::txn::{check, ConsistencyModel, TxnOptions, TxnReader, TxnReport};
use checker::Verdict;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::time::{Duration, Instant};

fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

fn rss_mib() -> Option<f64> {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn options(n: usize) -> SynthOptions {
    SynthOptions {
        seed: 42,
        transactions: n,
        processes: 10,
        keys: 1000,
        max_writes_per_key: 32,
        max_txn_len: 4,
        ..SynthOptions::default()
    }
}

/// Generates the history op by op straight into a reader and checks it: the history is never
/// held in memory, as when `rift check` streams a JSONL file.
fn check_streamed(n: usize, model: ConsistencyModel) -> TxnReport {
    let mut reader = TxnReader::new(None);
    list_append_ops(&options(n), |op| {
        reader.push(&op).expect("a well-formed op")
    });
    reader.finish(&TxnOptions::model(model)).expect("checks")
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("TXN_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let model = std::env::var("TXN_BENCH_MODEL")
        .map_or(ConsistencyModel::StrictSerializable, |m| {
            ConsistencyModel::from_name(&m).expect("TXN_BENCH_MODEL names a consistency model")
        });
    let t = Instant::now();
    let report = check_streamed(n, model);
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    eprintln!(
        "streamed: generated and checked {n} transactions ({model}) in {secs:.2} s = {:.0} \
         txns/s ({} graph edges); peak RSS {:.0} MiB",
        n as f64 / secs,
        report.edges,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    if std::env::var_os("TXN_BENCH_STREAMED_ONLY").is_some_and(|v| v == "1") {
        return;
    }
    let t = Instant::now();
    let history = list_append(&options(n));
    eprintln!(
        "in memory: generated {} ops in {:.2} s; RSS {:.0} MiB (the History alone), peak {:.0} MiB",
        history.len(),
        t.elapsed().as_secs_f64(),
        rss_mib().unwrap_or(f64::NAN),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let t = Instant::now();
    let report = check(&history, &TxnOptions::default()).expect("a well-formed history");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(report.verdict, Verdict::Valid, "{report}");
    eprintln!(
        "in memory: checked in {secs:.2} s = {:.0} txns/s; peak RSS {:.0} MiB",
        n as f64 / secs,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let mut group = c.benchmark_group("txn");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(1));
    group.warm_up_time(Duration::from_millis(1));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(
        format!("check {n} list-append txns (strict-serializable)"),
        |b| b.iter(|| check(&history, &TxnOptions::default()).expect("checks")),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
