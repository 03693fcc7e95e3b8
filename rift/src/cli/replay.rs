//! `rift replay RUN_DIR [--repeat N]`: the stored config and seed, with the recorded fault
//! schedule re-applied at the same offsets; reports how many replays reproduced the verdict.

use super::replay_plan::recorded_plan;
use checker::Verdict;
use runner::run::{run as carry_out, RunOptions};
use runner::store::load_run;
use runner::system::Registry;
use std::mem::discriminant;
use std::path::PathBuf;

/// `rift replay` flags.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 every replay reproduced the original verdict, 1 some did not, 3 usage or harness error (not a run, a run that did not finish, a cluster that could not start)."
)]
pub struct Args {
    /// The stored run (a run directory, or STORE/TEST/latest).
    pub run_dir: PathBuf,
    /// How many replays (at least 1).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
}

/// Runs `rift replay`. Each replay is stored as a new run of the same test in the original's
/// store. A replay reproduces the original when its verdict is of the same kind (an unknown
/// verdict's reason may differ). Exit 0 when every replay reproduced the original verdict, 1
/// otherwise, 3 when the directory is not a finished run or a replay could not be carried out.
pub fn run(args: Args, registry: &Registry) -> anyhow::Result<i32> {
    let stored = load_run(&args.run_dir)?;
    let original = stored
        .results
        .as_ref()
        .map(|r| r.verdict.clone())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{} has no results.json: the run did not finish, so there is no verdict to reproduce",
                args.run_dir.display()
            )
        })?;
    let plan = recorded_plan(&stored.faults);
    let mut config = stored.meta.config.clone();
    config.seed = Some(stored.meta.seed);
    // <store>/<test>/<run> (`latest` resolved: the replays move it): the replays go beside the
    // original, wherever rift is started from.
    let dir = std::fs::canonicalize(&stored.dir.path).unwrap_or_else(|_| stored.dir.path.clone());
    if let Some(root) = dir.parent().and_then(|t| t.parent()) {
        config.store = root.to_path_buf();
    }
    println!(
        "replaying {} (seed {}; planned faults re-applied at their recorded offsets: {}); real processes are not deterministic, so a replay repeats the ops and faults, not the interleaving",
        dir.display(),
        stored.meta.seed,
        plan.steps.len()
    );
    let mut same = 0;
    for i in 0..args.repeat {
        let options = RunOptions {
            plan: Some(plan.clone()),
            replay_of: Some(dir.clone()),
            ..RunOptions::default()
        };
        let o = carry_out(config.clone(), registry, &options)?;
        let v = o.results.verdict;
        let reproduced = same_kind(&v, &original);
        same += u32::from(reproduced);
        println!(
            "replay {}: {v}{} ({})",
            i + 1,
            if reproduced { "" } else { ", NOT reproduced" },
            o.context.dir.path.display()
        );
    }
    println!(
        "{same} of {} replays reproduced the original verdict ({original})",
        args.repeat
    );
    Ok(if same == args.repeat { 0 } else { 1 })
}

/// Valid, invalid or unknown alike (whatever an unknown's reason).
fn same_kind(a: &Verdict, b: &Verdict) -> bool {
    discriminant(a) == discriminant(b)
}
