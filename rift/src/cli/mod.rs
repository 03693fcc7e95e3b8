//! The command line: one file per subcommand; this file only lists them and dispatches.

use clap::{Parser, Subcommand};
use runner::system::Registry;

mod bench_cluster;
mod bench_record;
mod campaign;
mod check;
mod cleanup;
mod cluster_up;
mod demo;
mod demo_table;
mod gen;
mod replay;
mod replay_plan;
pub(crate) mod report;
mod run;
mod serve;

/// rift finds out, with evidence, which promises a distributed system breaks under real faults.
///
/// It starts the system's nodes (each in its own network namespace), drives concurrent clients
/// against them while a nemesis pauses, kills and restarts nodes, partitions the network, drops
/// packets and skews clocks, records every call in a history, and checks it: linearizability,
/// convergence after healing, invariants, and transactional anomalies (Elle). It also checks
/// histories recorded elsewhere (Jepsen EDN and logs, Porcupine).
///
/// Start with `rift run` (the built-in booking service), `rift demo`, or `rift check FILE`.
///
/// Exit codes: 0 valid, 1 invalid, 2 unknown, 3 usage or harness error.
#[derive(Debug, Parser)]
#[command(name = "rift", version)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// rift's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print rift's version.
    Version,
    /// Check histories offline (linearizability or transactional isolation) or re-check a stored run (exit 0 valid, 1 invalid, 2 unknown, 3 bad input).
    Check(Box<check::Args>),
    /// Write a seeded register history (JSONL) for benchmarks and tests.
    Gen(gen::Args),
    /// Remove what crashed runs left behind (namespaces, links, processes, temp files).
    Cleanup(cleanup::Args),
    /// Run a workload against a cluster under faults, check the history and store the run.
    Run(Box<run::Args>),
    /// Measure the runner's recording throughput and what recording costs.
    BenchRecord(Box<bench_record::Args>),
    /// Run a campaign (strategies x nemeses x seeds, each with an expected verdict).
    Campaign(campaign::Args),
    /// Compare a system's variants (the booking service's strategies by default) under each kind of fault, side by side.
    Demo(demo::Args),
    /// Re-run a stored run: same config and seed, the recorded faults at the same offsets.
    Replay(replay::Args),
    /// Time cluster start-up, partitions and heals (medians over repeated trials).
    BenchCluster(bench_cluster::Args),
    /// Write a stored run's HTML report (report.html in its directory).
    Report(report::Args),
    /// Browse a run store in a web browser (a local, read-only web server).
    Serve(serve::Args),
    /// Start a cluster, apply a few faults, hold it (for teardown tests).
    #[command(hide = true)]
    ClusterUp(cluster_up::Args),
}

/// Runs a parsed command line over `registry`'s systems and returns the process exit code.
pub fn dispatch(cli: Cli, registry: &Registry) -> anyhow::Result<i32> {
    match cli.command {
        Command::Version => {
            println!("rift {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        Command::Check(args) => check::run(*args),
        Command::Gen(args) => gen::run(args),
        Command::Cleanup(args) => cleanup::run(args),
        Command::Run(args) => run::run(*args, registry),
        Command::Campaign(args) => campaign::run(args, registry),
        Command::BenchRecord(args) => bench_record::run(*args, registry),
        Command::Demo(args) => demo::run(args, registry),
        Command::Replay(args) => replay::run(args, registry),
        Command::ClusterUp(args) => cluster_up::run(args, registry),
        Command::BenchCluster(args) => bench_cluster::run(args, registry),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => serve::run(args),
    }
}
