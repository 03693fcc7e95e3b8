//! `rift replay RUN_DIR [--repeat N]`: the stored config and seed, with the recorded fault
//! schedule re-applied at the same offsets; reports how many replays reproduced the verdict.

use runner::nemesis::{Plan, Planned};
use runner::run::{run as carry_out, RunOptions};
use runner::store::load_run;
use std::path::PathBuf;

/// `rift replay` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stored run (a run directory, or STORE/TEST/latest).
    pub run_dir: PathBuf,
    /// How many replays.
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
}

/// Runs `rift replay`; exit 0 when every replay reproduced the original verdict, 1 otherwise.
pub fn run(args: Args) -> anyhow::Result<i32> {
    let stored = load_run(&args.run_dir)?;
    let original = stored
        .results
        .as_ref()
        .map(|r| r.verdict.clone())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{} has no results.json: the run did not finish",
                args.run_dir.display()
            )
        })?;
    let plan = Plan {
        steps: stored
            .faults
            .iter()
            .filter_map(|f| {
                f.planned_at.map(|at| Planned {
                    at,
                    fault: f.record.fault.clone(),
                })
            })
            .collect(),
    };
    println!(
        "replaying {} (seed {}, {} faults at their recorded offsets); real processes are not deterministic, so a replay repeats the ops and faults, not the interleaving",
        args.run_dir.display(),
        stored.meta.seed,
        plan.steps.len()
    );
    let mut same = 0;
    for i in 0..args.repeat {
        let options = RunOptions {
            plan: Some(plan.clone()),
            ..RunOptions::default()
        };
        let o = carry_out(stored.meta.config.clone(), &options)?;
        let v = o.results.verdict;
        if v == original {
            same += 1;
        }
        println!("replay {}: {v} ({})", i + 1, o.context.dir.path.display());
    }
    println!(
        "{same} of {} replays reproduced the original verdict ({original})",
        args.repeat
    );
    Ok(if same == args.repeat { 0 } else { 1 })
}
