//! `rift bench-record`: the runner's recording throughput and its cost, measured against a real
//! cluster of any registered system (the default one unless `--system` says; the same load with
//! and without recording, alternating trials).

use super::run::Args as RunArgs;
use runner::run::bench_record;
use runner::system::Registry;

/// `rift bench-record` flags: the run flags (system, nodes, workload, concurrency, time limit =
/// seconds per trial), and the number of trials of each kind.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Trials of each kind (recorded, unrecorded).
    #[arg(long, default_value_t = 3)]
    pub trials: usize,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// The load.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Runs `rift bench-record`.
pub fn run(args: Args, registry: &Registry) -> anyhow::Result<i32> {
    let mut run = args.run;
    run.time_limit = run.time_limit.or(Some(5.0));
    run.concurrency = run.concurrency.or(Some(64));
    run.nemesis = Some("none".into());
    let config = run.config()?;
    let report = bench_record(&config, registry, args.trials.max(1))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(0);
    }
    for t in &report.trials {
        println!(
            "{:<10} {:>8} calls in {:.2} s: {:>8.0} ops/s, CPU per call: rift {:.1} us, rift and nodes {:.1} us",
            if t.recorded { "recorded" } else { "unrecorded" },
            t.calls,
            t.seconds,
            t.ops_per_s,
            t.cpu_us_per_call,
            t.total_cpu_us_per_call
        );
    }
    println!(
        "median: recorded {:.0} ops/s, unrecorded {:.0} ops/s; recording costs {:.1}% of the throughput",
        report.recorded,
        report.unrecorded,
        report.overhead * 100.0
    );
    let (rec, unrec) = report.cpu_us_per_call;
    println!(
        "median rift CPU per call: recorded {rec:.1} us, unrecorded {unrec:.1} us ({:+.1} us for recording)",
        rec - unrec
    );
    let (rec, unrec) = report.total_cpu_us_per_call;
    println!(
        "median CPU per call of rift and its nodes: recorded {rec:.1} us, unrecorded {unrec:.1} us: \
         recording costs {:.1}% of the CPU a call takes (its throughput cost when the CPUs are the limit)",
        report.cpu_overhead * 100.0
    );
    Ok(0)
}
