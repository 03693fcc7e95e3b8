//! `rift demo`: a system's variants (the named option sets it offers; for the booking service,
//! its replication and read strategies) under partitions, pauses, kills and clock skew, with
//! short limits, side by side: strategy, faults, verdict, anomalies, availability while faults
//! were in force, and p50/p99 latency.

use super::campaign::run_cases;
use super::demo_table::table;
use faults::{FaultKind, Shape, Target};
use runner::campaign::{Campaign, Expect, Nemesis, Override, Strategy};
use runner::nemesis::NemesisConfig;
use runner::run::{RunConfig, SystemConfig};
use runner::system::Registry;
use std::path::PathBuf;

/// The faults: (name, kind).
const FAULTS: [(&str, FaultKind); 4] = [
    ("partition", FaultKind::Partition),
    ("pause", FaultKind::Pause),
    ("kill", FaultKind::Kill),
    ("clock", FaultKind::Clock),
];

/// `rift demo` flags.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 every run was carried out (whatever its verdict), 3 usage error or a run that could not be carried out."
)]
pub struct Args {
    /// Seconds of workload and faults per run.
    #[arg(long, default_value_t = 6.0)]
    pub time_limit: f64,
    /// The seed of every run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The run store's root.
    #[arg(long, default_value = "store")]
    pub store: PathBuf,
    /// The system whose variants are compared; the registry's default when absent.
    #[arg(long, default_value = "")]
    pub system: String,
    /// Only these of the system's variants, comma-separated (the booking service's: sync-one,
    /// async-one, async-all, log-one, raft-majority, gossip-one); default: all.
    #[arg(long, value_delimiter = ',')]
    pub strategies: Vec<String>,
    /// Only these faults, comma-separated (partition, pause, kill, clock); default: all.
    #[arg(long, value_delimiter = ',')]
    pub faults: Vec<String>,
}

/// The entries of `all` named in `wanted` (all of them when `wanted` is empty), in `all`'s
/// order; an unknown name is refused with the choices.
fn pick<T: Clone>(
    what: &str,
    all: &[T],
    name: fn(&T) -> &str,
    wanted: &[String],
) -> anyhow::Result<Vec<T>> {
    if let Some(bad) = wanted
        .iter()
        .find(|w| !all.iter().any(|a| name(a) == w.as_str()))
    {
        let choices: Vec<&str> = all.iter().map(name).collect();
        anyhow::bail!("--{what}: {bad:?} is not one of {}", choices.join(", "));
    }
    Ok(all
        .iter()
        .filter(|a| wanted.is_empty() || wanted.iter().any(|w| w == name(a)))
        .cloned()
        .collect())
}

/// The demo as a campaign: every chosen strategy under every chosen fault, one seed, each
/// expected to do what the system promises of it under that fault.
fn campaign(args: &Args, registry: &Registry) -> anyhow::Result<Campaign> {
    let variants = registry.variants(&args.system)?;
    let strategies = pick("strategies", &variants, |v| v.0.as_str(), &args.strategies)?;
    let faults = pick("faults", &FAULTS, |f| f.0, &args.faults)?;
    let mut expect = Vec::new();
    for (strategy, options) in &strategies {
        let system = registry.configure(&args.system, options)?;
        for (fault, kind) in &faults {
            expect.push(Override {
                strategy: strategy.clone(),
                nemesis: fault.to_string(),
                verdict: system.expect(*kind),
            });
        }
    }
    let campaign = Campaign {
        name: "demo".into(),
        seeds: vec![args.seed],
        base: RunConfig {
            time_limit_s: args.time_limit,
            quiet_s: 1.0,
            settle_s: 3.0,
            rate: 300.0,
            op_timeout_ms: 500,
            store: args.store.clone(),
            ..RunConfig::default()
        },
        strategies: strategies
            .into_iter()
            .map(|(name, options)| Strategy {
                name,
                system: SystemConfig {
                    name: args.system.clone(),
                    options,
                },
                expect: Expect::Any,
            })
            .collect(),
        nemeses: faults
            .into_iter()
            .map(|(name, kind)| Nemesis {
                name: name.into(),
                nemesis: NemesisConfig {
                    faults: vec![kind],
                    interval_s: 1.5,
                    targets: vec![Target::One],
                    partitions: vec![Shape::IsolateOne, Shape::RandomHalves],
                    clock_offset_ms: 5_000,
                    packet_loss: 0.5,
                },
            })
            .collect(),
        expect,
    };
    campaign
        .validate(registry)
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(campaign)
}

/// Runs `rift demo`: the cases one after another (a line each on stderr as it ends), then the
/// table on stdout. Exits 0 unless a run could not be carried out (3).
pub fn run(args: Args, registry: &Registry) -> anyhow::Result<i32> {
    let campaign = campaign(&args, registry)?;
    println!(
        "rift demo: {} strategies x {} faults, seed {}, {} s each; availability is the share of calls invoked while a fault was in force that succeeded",
        campaign.strategies.len(),
        campaign.nemeses.len(),
        args.seed,
        args.time_limit
    );
    let results = run_cases(&campaign, registry);
    print!("{}", table(&results));
    println!("runs stored under {}", campaign.base.store.display());
    let errors = results.iter().filter(|(r, _)| r.verdict.is_err()).count();
    Ok(if errors == 0 { 0 } else { 3 })
}
