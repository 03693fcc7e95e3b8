//! `rift cluster-up` (hidden): starts a cluster, applies a few faults, prints the run's state as
//! one JSON line, and holds it until a signal or `--hold` seconds. The teardown tests run it in a
//! child process to kill it with SIGTERM or SIGKILL; it is also a quick manual check of a host.

use faults::{Fault, Injector, NodeId, Shape, Target};
use runner::cluster::{Backend, Cluster, ClusterConfig, RunId};
use runner::system::{Adapter, CommandAdapter, Readiness, Registry};
use std::io::Write;
use std::sync::Arc;

/// `rift cluster-up` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run id (eight hex digits); fresh by default.
    #[arg(long)]
    pub run_id: Option<RunId>,
    /// How many nodes.
    #[arg(long, default_value_t = 3)]
    pub nodes: usize,
    /// auto, local or loopback.
    #[arg(long, default_value = "auto")]
    pub backend: Backend,
    /// The system: `sleep` (nodes that only sleep) or a registered system.
    #[arg(long, default_value = "sleep")]
    pub system: String,
    /// The system's options, as KEY=VALUE (e.g. replication=raft).
    #[arg(long = "option", value_parser = super::run::parse_option)]
    pub options: Vec<(String, String)>,
    /// Pause these nodes.
    #[arg(long)]
    pub pause: Vec<usize>,
    /// Isolate this node from the others.
    #[arg(long)]
    pub isolate: Option<usize>,
    /// Shift these nodes' clocks by 5 s.
    #[arg(long)]
    pub clock: Vec<usize>,
    /// Hold the cluster this many seconds, then tear it down.
    #[arg(long, default_value_t = 120)]
    pub hold: u64,
}

/// Runs `rift cluster-up`.
pub fn run(args: Args, registry: &Registry) -> anyhow::Result<i32> {
    let adapter: Arc<dyn Adapter> = match args.system.as_str() {
        "sleep" => Arc::new(CommandAdapter::new(
            "sleep",
            "sleep",
            &["3600"],
            Readiness::Started,
        )),
        name => {
            let options = args
                .options
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            registry.configure(name, &options)?.adapter()?
        }
    };
    let config = ClusterConfig {
        nodes: args.nodes,
        backend: args.backend,
        run_id: args.run_id,
        ..ClusterConfig::default()
    };
    let mut cluster = Cluster::start(config, adapter)?;
    let clock_files: Vec<String> = (0..args.nodes)
        .filter_map(|i| {
            cluster
                .clock_file(NodeId(i))
                .map(|p| p.display().to_string())
        })
        .collect();
    let mut injector = Injector::new(&mut cluster, 0);
    let mut records = Vec::new();
    let nodes = |v: &[usize]| Target::Nodes(v.iter().copied().map(NodeId).collect());
    if !args.pause.is_empty() {
        records.push(injector.apply(&Fault::Pause {
            target: nodes(&args.pause),
        })?);
    }
    if let Some(i) = args.isolate {
        let all: Vec<NodeId> = (0..args.nodes)
            .map(NodeId)
            .filter(|&n| n != NodeId(i))
            .collect();
        let g = faults::Grudge::between(&[NodeId(i)], &all);
        records.push(injector.apply(&Fault::Partition {
            shape: Shape::Exact(g),
        })?);
    }
    if !args.clock.is_empty() {
        records.push(injector.apply(&Fault::ClockBump {
            target: nodes(&args.clock),
            delta_ms: 5000,
        })?);
    }
    drop(injector);
    let line = serde_json::json!({
        "state": cluster.state(),
        "clock_files": clock_files,
        "faults": records,
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    drop(out);
    std::thread::sleep(std::time::Duration::from_secs(args.hold));
    let report = cluster.teardown();
    eprintln!(
        "rift cluster-up: run {} torn down: {report}",
        cluster.run_id()
    );
    Ok(0)
}
