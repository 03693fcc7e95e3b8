//! `rift run`: one run of a workload against a cluster under a nemesis, checked and stored.

use anyhow::Context;
use clap::Args as ClapArgs;
use faults::{FaultKind, Shape, Target};
use runner::cluster::Backend;
use runner::run::{render, run as carry_out, RunConfig, RunOptions};
use runner::system::Registry;
use runner::workload::WorkloadKind;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Options of `rift run`. Every option can also come from `--config FILE` (TOML, the fields of
/// run.json's config); a flag given overrides the file. With no options: the default system
/// (the booking service in the `rift` binary) with its default options and first workload, 3
/// nodes, partitions and pauses, 30 s.
#[derive(Debug, Clone, Default, ClapArgs)]
pub struct Args {
    /// A TOML config file (see examples/*.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The test's name (runs are stored under STORE/TEST/).
    #[arg(long)]
    pub test: Option<String>,
    /// The system under test: a registered system (the `rift` binary's: booking, etcd, redis,
    /// postgres), or a system description file (a path ending in .toml).
    #[arg(long)]
    pub system: Option<String>,
    /// One of the system's options, KEY=VALUE (repeat for several), e.g. --option read=all.
    #[arg(long = "option", value_parser = parse_option)]
    pub options: Vec<(String, String)>,
    /// The system's `replication` option (booking: sync, async, log, raft, gossip; redis: async,
    /// wait).
    #[arg(long)]
    pub replication: Option<String>,
    /// The system's `read` option (booking: one, majority, all; etcd: linearizable,
    /// serializable; redis: primary, local).
    #[arg(long)]
    pub read: Option<String>,
    /// Number of nodes.
    #[arg(long)]
    pub nodes: Option<usize>,
    /// Where nodes run: auto, local (namespaces; root), loopback, ssh (the hosts of the
    /// config's `[ssh]` table).
    #[arg(long)]
    pub backend: Option<Backend>,
    /// The workload.
    #[arg(long, value_enum)]
    pub workload: Option<WorkloadKind>,
    /// Keys (registers, rooms, append keys).
    #[arg(long)]
    pub keys: Option<usize>,
    /// Guests (booking).
    #[arg(long)]
    pub guests: Option<usize>,
    /// The op mix, e.g. book=4,cancel=2,available=4.
    #[arg(long, value_parser = parse_mix)]
    pub mix: Option<BTreeMap<String, u32>>,
    /// Concurrent clients.
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Ops per second over all clients (0: no limit).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds of workload and faults.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Per-call timeout in ms (a call without answer is recorded as info).
    #[arg(long)]
    pub op_timeout: Option<u64>,
    /// Fault kinds, comma-separated: partition, pause, kill, clock, packet_loss; or none.
    #[arg(long)]
    pub nemesis: Option<String>,
    /// Mean seconds between nemesis steps.
    #[arg(long)]
    pub nemesis_interval: Option<f64>,
    /// Targets, comma-separated: one, minority, majority, all, primaries.
    #[arg(long)]
    pub targets: Option<String>,
    /// Partition shapes, comma-separated: isolate_one, halves, random_halves, majorities_ring,
    /// bridge, one_way.
    #[arg(long)]
    pub partitions: Option<String>,
    /// Largest clock offset, ms.
    #[arg(long)]
    pub clock_offset: Option<u64>,
    /// Seconds of quiet between healing and the final reads.
    #[arg(long)]
    pub quiet: Option<f64>,
    /// Seconds after the quiet period during which the final reads are repeated until every node
    /// returns the same state.
    #[arg(long)]
    pub settle: Option<f64>,
    /// The seed (printed and stored; random when absent).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The run store's root directory.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet_progress: bool,
}

/// A system option `KEY=VALUE`.
pub fn parse_option(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected KEY=VALUE"))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// A system option's value: a number or boolean when it reads as one, else the text.
fn option_value(v: &str) -> Value {
    match serde_json::from_str::<Value>(v) {
        Ok(n @ (Value::Number(_) | Value::Bool(_))) => n,
        _ => Value::String(v.to_string()),
    }
}

fn parse_mix(s: &str) -> Result<BTreeMap<String, u32>, String> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (f, w) = p
                .split_once('=')
                .ok_or_else(|| format!("{p:?}: expected OP=WEIGHT"))?;
            let w = w
                .parse()
                .map_err(|_| format!("{p:?}: the weight is not a whole number"))?;
            Ok((f.to_string(), w))
        })
        .collect()
}

/// A comma-separated list of serde names ("one,minority" -> [Target::One, Target::Minority]).
fn list<T: serde::de::DeserializeOwned>(flag: &str, s: &str) -> anyhow::Result<Vec<T>> {
    s.split(',')
        .filter(|p| !p.is_empty() && *p != "none")
        .map(|p| {
            serde_json::from_value(serde_json::Value::String(p.trim().to_string()))
                .with_context(|| format!("--{flag}: {p:?} is not a known value"))
        })
        .collect()
}

impl Args {
    /// The config the flags and the config file say; flags override the file.
    pub fn config(&self) -> anyhow::Result<RunConfig> {
        let mut c = match &self.config {
            Some(p) => RunConfig::load(p)?,
            None => RunConfig::default(),
        };
        macro_rules! set {
            ($flag:expr => $($field:tt)+) => {
                if let Some(v) = $flag.clone() {
                    c.$($field)+ = v;
                }
            };
        }
        set!(self.test => test);
        if let Some(name) = &self.system {
            if *name != c.system.name {
                // Another system's options mean nothing to this one.
                c.system.options.clear();
            }
            c.system.name = name.clone();
        }
        let shorthands = [("replication", &self.replication), ("read", &self.read)];
        let given = shorthands
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.clone()?)))
            .chain(self.options.iter().cloned());
        for (k, v) in given {
            c.system.options.insert(k, option_value(&v));
        }
        set!(self.nodes => nodes);
        set!(self.backend => backend);
        if let Some(kind) = self.workload {
            c.workload.kind = Some(kind);
        }
        set!(self.keys => workload.keys);
        set!(self.guests => workload.guests);
        set!(self.mix => workload.mix);
        set!(self.concurrency => concurrency);
        set!(self.rate => rate);
        set!(self.time_limit => time_limit_s);
        set!(self.op_timeout => op_timeout_ms);
        set!(self.nemesis_interval => nemesis.interval_s);
        set!(self.clock_offset => nemesis.clock_offset_ms);
        set!(self.quiet => quiet_s);
        set!(self.settle => settle_s);
        set!(self.store => store);
        if let Some(s) = self.seed {
            c.seed = Some(s);
        }
        if let Some(n) = &self.nemesis {
            c.nemesis.faults = list::<FaultKind>("nemesis", n)?;
        }
        if let Some(t) = &self.targets {
            c.nemesis.targets = list::<Target>("targets", t)?;
        }
        if let Some(p) = &self.partitions {
            c.nemesis.partitions = list::<Shape>("partitions", p)?;
        }
        Ok(c)
    }
}

/// Runs `rift run`; the exit code is the verdict's (0 valid, 1 invalid, 2 unknown).
pub fn run(args: Args, registry: &Registry) -> anyhow::Result<i32> {
    let config = args.config()?;
    let options = RunOptions {
        progress: !args.quiet_progress,
        verbose: true,
        ..RunOptions::default()
    };
    let outcome = carry_out(config, registry, &options)?;
    print!("{}", render(&outcome));
    Ok(outcome.results.verdict.exit_code())
}
