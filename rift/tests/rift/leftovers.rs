//! What of a run is still on the machine: its namespaces, links, iptables rules, node processes
//! (running or stopped), temp dir and state file.

use runner::cluster::RunState;
use std::process::Command;

/// Everything of `run` that still exists, in words.
pub fn leftovers(run: &RunState) -> Vec<String> {
    let id = run.run_id.to_string();
    let mut left = Vec::new();
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    for line in String::from_utf8_lossy(&netns.stdout).lines() {
        if line.starts_with(&format!("rift-{id}-")) {
            left.push(format!("namespace {line}"));
        }
    }
    let links = Command::new("ip")
        .args(["-o", "link", "show"])
        .output()
        .unwrap();
    if String::from_utf8_lossy(&links.stdout).contains(&format!("rf{id}")) {
        left.push(format!("a link named rf{id}* in the root namespace"));
    }
    let rules = Command::new("iptables-save").output().unwrap();
    if String::from_utf8_lossy(&rules.stdout).contains(&format!("rift run {id}")) {
        left.push(format!(
            "an iptables rule of run {id} in the root namespace"
        ));
    }
    for p in &run.processes {
        if p.is_alive() {
            let how = if p.is_stopped() { "stopped" } else { "running" };
            left.push(format!("node process {} of run {id} ({how})", p.pid));
        }
    }
    if run.temp_dir.exists() {
        left.push(format!("temp dir {}", run.temp_dir.display()));
    }
    if run.path().exists() {
        left.push(format!("state file {}", run.path().display()));
    }
    left
}

/// Asserts that nothing of any of `runs` is still on the machine, naming what is.
pub fn assert_none_left<'a>(runs: impl IntoIterator<Item = &'a RunState>) {
    for run in runs {
        assert_eq!(leftovers(run), Vec::<String>::new(), "run {}", run.run_id);
    }
}
