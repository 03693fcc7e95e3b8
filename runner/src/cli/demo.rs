//! `rift demo`: the booking service's strategies under partitions, pauses, kills and clock skew,
//! with short limits, side by side: strategy, faults, verdict, anomalies, availability while
//! faults were in force, and p50/p99 latency.

use super::campaign::run_cases;
use faults::{FaultKind, Shape, Target};
use runner::campaign::{Campaign, Expect};
use runner::nemesis::NemesisConfig;
use runner::run::{RunConfig, SystemConfig};
use std::path::PathBuf;

/// `rift demo` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seconds per run.
    #[arg(long, default_value_t = 6.0)]
    pub time_limit: f64,
    /// The seed of every run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The run store's root.
    #[arg(long, default_value = "store")]
    pub store: PathBuf,
}

fn strategy(name: &str, replication: &str, read: &str) -> runner::campaign::Strategy {
    runner::campaign::Strategy {
        name: name.into(),
        system: SystemConfig {
            name: "booking".into(),
            replication: replication.into(),
            read: read.into(),
        },
        expect: Expect::Any,
    }
}

fn nemesis(name: &str, kind: FaultKind) -> runner::campaign::Nemesis {
    runner::campaign::Nemesis {
        name: name.into(),
        nemesis: NemesisConfig {
            faults: vec![kind],
            interval_s: 1.5,
            targets: vec![Target::One],
            partitions: vec![Shape::IsolateOne, Shape::RandomHalves],
            clock_offset_ms: 5_000,
            packet_loss: 0.5,
        },
    }
}

/// Runs `rift demo`; always exits 0 unless a run could not be carried out (3).
pub fn run(args: Args) -> anyhow::Result<i32> {
    let campaign = Campaign {
        name: "demo".into(),
        seeds: vec![args.seed],
        base: RunConfig {
            time_limit_s: args.time_limit,
            quiet_s: 1.0,
            rate: 300.0,
            op_timeout_ms: 500,
            store: args.store,
            ..RunConfig::default()
        },
        strategies: vec![
            strategy("sync-one", "sync", "one"),
            strategy("async-one", "async", "one"),
            strategy("async-all", "async", "all"),
            strategy("log-one", "log", "one"),
            strategy("raft-majority", "raft", "majority"),
            strategy("gossip-one", "gossip", "one"),
        ],
        nemeses: vec![
            nemesis("partition", FaultKind::Partition),
            nemesis("pause", FaultKind::Pause),
            nemesis("kill", FaultKind::Kill),
            nemesis("clock", FaultKind::Clock),
        ],
        expect: vec![],
    };
    let results = run_cases(&campaign);
    println!(
        "{:<14} {:<10} {:<8} {:>7} {:>8} {:>8}  anomalies",
        "strategy", "faults", "verdict", "avail%", "p50 ms", "p99 ms"
    );
    let mut errors = 0;
    for (r, stats) in &results {
        let verdict = match &r.verdict {
            Ok(v) => v.to_string().split(' ').next().unwrap_or("").to_string(),
            Err(_) => {
                errors += 1;
                "error".into()
            }
        };
        let num =
            |x: Option<f64>, scale: f64| x.map_or("-".into(), |v| format!("{:.1}", v * scale));
        let (avail, p50, p99) = match stats {
            Some(s) => (
                num(s.availability_under_faults, 100.0),
                num(s.p50_ms, 1.0),
                num(s.p99_ms, 1.0),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "{:<14} {:<10} {:<8} {:>7} {:>8} {:>8}  {}",
            r.case.strategy, r.case.nemesis, verdict, avail, p50, p99, r.anomalies
        );
    }
    Ok(if errors == 0 { 0 } else { 3 })
}
