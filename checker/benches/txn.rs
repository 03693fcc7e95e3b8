//! The transactional checker on a seeded, valid list-append history: 1,000,000 transactions,
//! 1,000 active keys (retired after 32 appends, as Elle's generator does), 10 processes, checked
//! for strict serializability (all edge kinds, all cycle rounds).
//!
//! Run: `cargo bench -p checker --bench txn`. Prints transactions per second and the process's
//! peak RSS (VmHWM) after generating the history and after checking it. `TXN_BENCH_N` overrides
//! the number of transactions.

use checker::txn::synth::{list_append, SynthOptions};
use checker::txn::{check, TxnOptions};
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

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("TXN_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let opts = SynthOptions {
        seed: 42,
        transactions: n,
        processes: 10,
        keys: 1000,
        max_writes_per_key: 32,
        max_txn_len: 4,
        ..SynthOptions::default()
    };
    let t = Instant::now();
    let history = list_append(&opts);
    eprintln!(
        "generated {} transactions ({} ops) in {:.2} s; RSS {:.0} MiB, peak {:.0} MiB",
        n,
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
        "checked once in {:.2} s = {:.0} txns/s ({} graph edges); peak RSS {:.0} MiB",
        secs,
        n as f64 / secs,
        report.edges,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let mut group = c.benchmark_group("txn");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(1));
    group.warm_up_time(Duration::from_millis(1));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("list-append strict-serializable {n} txns"), |b| {
        b.iter(|| check(&history, &TxnOptions::default()).expect("checks"))
    });
    group.finish();
    eprintln!(
        "peak RSS after the benchmark {:.0} MiB",
        peak_rss_mib().unwrap_or(f64::NAN)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
