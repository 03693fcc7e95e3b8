//! `rift bench-cluster`: how fast clusters of a system (the default one unless `--system` says)
//! start, partitions go in and out, and a node is paused and resumed, as medians over repeated
//! trials (the figures BENCHMARKS.md records): in namespaces on this machine, or on the hosts a
//! run config's `[ssh]` table names.

use faults::{Fault, Injector, NodeId, Shape, Target};
use runner::cluster::{Backend, Cluster, ClusterConfig};
use runner::run::RunConfig;
use runner::system::Registry;
use std::time::{Duration, Instant};

/// `rift bench-cluster` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Nodes per cluster.
    #[arg(long, default_value_t = 5)]
    pub nodes: usize,
    /// Clusters started (each timed from nothing to every node ready).
    #[arg(long, default_value_t = 10)]
    pub starts: usize,
    /// Partition/heal pairs timed on one cluster.
    #[arg(long, default_value_t = 50)]
    pub partitions: usize,
    /// The system (its default options); the registry's default when absent.
    #[arg(long, default_value = "")]
    pub system: String,
    /// A run config whose `backend` and `[ssh]` table say where the nodes run (namespaces on
    /// this machine when absent).
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Runs the benchmark and prints one line per figure.
pub fn run(args: Args, registry: &Registry) -> anyhow::Result<i32> {
    anyhow::ensure!(
        args.starts > 0 && args.partitions > 0,
        "--starts and --partitions must be positive"
    );
    let system = registry.configure(&args.system, &Default::default())?;
    let adapter = system.adapter()?;
    let name = system.describe();
    let (backend, ssh) = match &args.config {
        Some(file) => {
            let run = RunConfig::load(file)?;
            (run.backend, run.ssh)
        }
        None => (Backend::Local, None),
    };
    let config = ClusterConfig {
        nodes: args.nodes,
        backend,
        ssh,
        ..ClusterConfig::default()
    };
    let mut up = Vec::new();
    let mut down = Vec::new();
    for _ in 0..args.starts {
        let t = Instant::now();
        let mut cluster = Cluster::start(config.clone(), adapter.clone())?;
        up.push(t.elapsed());
        let t = Instant::now();
        let report = cluster.teardown();
        down.push(t.elapsed());
        anyhow::ensure!(report.problems.is_empty(), "teardown: {report}");
    }
    let mut cluster = Cluster::start(config, adapter)?;
    let mut injector = Injector::new(&mut cluster, 1);
    let (mut cut, mut heal) = (Vec::new(), Vec::new());
    for _ in 0..args.partitions {
        let t = Instant::now();
        let r = injector.apply(&Fault::Partition {
            shape: Shape::RandomHalves,
        })?;
        cut.push(t.elapsed());
        anyhow::ensure!(r.outcome.is_installed(), "partition: {r:?}");
        let t = Instant::now();
        injector.apply(&Fault::Heal)?;
        heal.push(t.elapsed());
    }
    let (mut pause, mut resume) = (Vec::new(), Vec::new());
    for i in 0..args.partitions {
        let target = Target::Nodes(vec![NodeId(i % args.nodes)]);
        let t = Instant::now();
        let r = injector.apply(&Fault::Pause {
            target: target.clone(),
        })?;
        pause.push(t.elapsed());
        anyhow::ensure!(r.outcome.is_installed(), "pause: {r:?}");
        let t = Instant::now();
        let r = injector.apply(&Fault::Resume { target })?;
        resume.push(t.elapsed());
        anyhow::ensure!(r.outcome.is_installed(), "resume: {r:?}");
    }
    let n = args.nodes;
    println!(
        "{n}-node {name} cluster up and ready: median {} over {} starts",
        ms(median(up)),
        args.starts
    );
    println!(
        "{n}-node {name} cluster torn down: median {} over {} teardowns",
        ms(median(down)),
        args.starts
    );
    println!(
        "partition (random halves) installed on all {n} nodes: median {} over {} trials",
        ms(median(cut)),
        args.partitions
    );
    println!(
        "healed on all {n} nodes: median {} over {} trials",
        ms(median(heal)),
        args.partitions
    );
    println!(
        "one node paused (SIGSTOP to its tree, stopped state read back): median {} over {} trials",
        ms(median(pause)),
        args.partitions
    );
    println!(
        "one node resumed (SIGCONT, running state read back): median {} over {} trials",
        ms(median(resume)),
        args.partitions
    );
    Ok(0)
}
