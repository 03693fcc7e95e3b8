//! `rift cleanup`: removes what runs left behind after rift itself was killed (SIGKILL, power
//! loss): every run recorded in the state dir whose owner is dead, and every namespace and link
//! named after a rift run that has no state file at all.

use runner::cluster::{names, teardown, RunId, RunState};
use std::collections::BTreeSet;

/// `rift cleanup` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this run (eight hex digits).
    #[arg(long)]
    pub run_id: Option<RunId>,
    /// Also tear down runs whose rift process still lives.
    #[arg(long)]
    pub force: bool,
}

/// Runs `rift cleanup`; exit code 0 when everything found was removed, 3 otherwise.
pub fn run(args: Args) -> anyhow::Result<i32> {
    let wanted = |id: &RunId| args.run_id.as_ref().is_none_or(|w| w == id);
    let mut problems = 0;
    let mut seen: BTreeSet<RunId> = BTreeSet::new();
    for path in RunState::all() {
        let state = match RunState::load(&path) {
            Ok(s) => s,
            // Listed, then removed by its run's own teardown: a run that just ended.
            Err(runner::RunError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                continue
            }
            Err(e) => {
                eprintln!("rift cleanup: skipping {}: {e}", path.display());
                problems += 1;
                continue;
            }
        };
        seen.insert(state.run_id.clone());
        if !wanted(&state.run_id) {
            continue;
        }
        if state.owner.is_alive() && !args.force {
            println!(
                "run {}: still running (rift pid {}); left alone (use --force to tear it down)",
                state.run_id, state.owner.pid
            );
            continue;
        }
        let report = teardown(&state);
        problems += report.problems.len();
        println!("run {}: {report}", state.run_id);
    }
    for (id, orphan) in orphans(&seen) {
        if !wanted(&id) {
            continue;
        }
        let report = teardown(&orphan);
        problems += report.problems.len();
        println!("run {id} (no state file): {report}");
    }
    Ok(if problems == 0 { 0 } else { 3 })
}

/// Namespaces and root links named after runs that have no state file (neither among `known`,
/// listed earlier, nor now), grouped by run.
fn orphans(known: &BTreeSet<RunId>) -> Vec<(RunId, RunState)> {
    let mut found: std::collections::BTreeMap<RunId, RunState> = Default::default();
    let blank = |id: &RunId| {
        let mut s = RunState::new(id.clone(), std::env::temp_dir().join(format!("rift-{id}")));
        s.owner.pid = 0;
        s
    };
    for ns in teardown::namespaces() {
        if let Some(id) = names::run_of_namespace(&ns).filter(|id| !known.contains(id)) {
            found
                .entry(id.clone())
                .or_insert_with(|| blank(&id))
                .namespaces
                .push(ns);
        }
    }
    for link in teardown::root_links() {
        if let Some(id) = names::run_of_host_link(&link).filter(|id| !known.contains(id)) {
            found
                .entry(id.clone())
                .or_insert_with(|| blank(&id))
                .links
                .push(link);
        }
    }
    // A run writes its state file before it makes anything, so a run that started after the
    // state files were listed has one by now: it is live, not an orphan.
    found.retain(|_, orphan| !orphan.path().exists());
    // Node namespaces before the bridge's, as a run's own teardown does.
    for s in found.values_mut() {
        s.namespaces.sort_by_key(|n| !n.ends_with("-br"));
    }
    found.into_iter().collect()
}
