//! `rift gen`: write a seeded register history (for benchmarks and tests) as JSONL.

use checker::gen::{generate, GenConfig};
use histories::formats::write_jsonl;
use std::io::Write;

/// Generate a register history, linearizable by construction unless anomalies are injected.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seed: same arguments, same history.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of calls.
    #[arg(long, default_value_t = 1000)]
    pub calls: usize,
    /// Number of keys (1..10000); with 1, ops carry no key.
    #[arg(long, default_value_t = 10)]
    pub keys: u64,
    /// Number of concurrent client processes (5..100).
    #[arg(long, default_value_t = 5)]
    pub processes: u64,
    /// Fraction of calls ending in info (0 to 0.2).
    #[arg(long, default_value_t = 0.0)]
    pub info_rate: f64,
    /// Let values collide (drawn from 0..value-range) instead of every write being unique.
    #[arg(long)]
    pub colliding: bool,
    /// With --colliding, the number of distinct values.
    #[arg(long, default_value_t = 5)]
    pub value_range: i64,
    /// Fraction of reads and writes turned into anomalies (stale reads, lost writes).
    #[arg(long, default_value_t = 0.0)]
    pub anomaly_rate: f64,
    /// Reads and writes only (a register); cas too by default.
    #[arg(long)]
    pub no_cas: bool,
}

/// Runs `rift gen`, writing the history to stdout.
pub fn run(args: Args) -> anyhow::Result<i32> {
    let history = generate(&GenConfig {
        seed: args.seed,
        calls: args.calls,
        keys: args.keys,
        processes: args.processes,
        info_rate: args.info_rate,
        unique_values: !args.colliding,
        value_range: args.value_range,
        anomaly_rate: args.anomaly_rate,
        cas: !args.no_cas,
    });
    let out = std::io::stdout();
    let mut lock = std::io::BufWriter::new(out.lock());
    write_jsonl(&mut lock, &history)?;
    lock.flush()?;
    Ok(0)
}
