//! What of a run is still on the machine: its namespaces, links, iptables rules, node processes
//! (running or stopped), SSH master connections, temp dir and state file; and every trace of rift's on the machine, for
//! tests that compare before and after a whole command.

use runner::cluster::RunState;
use std::collections::BTreeSet;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

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
    // An SSH master connection keeps its control socket in the temp dir.
    let temp_dir = run.temp_dir.to_string_lossy().to_string();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&temp_dir) {
            left.push(format!(
                "process {} naming {temp_dir}",
                entry.file_name().to_string_lossy()
            ));
        }
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

/// Every rift namespace and temp dir on the machine, and every process running one of
/// `programs` (by its comm), in words.
pub fn traces(programs: &[&str]) -> BTreeSet<String> {
    let mut t = BTreeSet::new();
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    for line in String::from_utf8_lossy(&netns.stdout).lines() {
        if line.starts_with("rift-") {
            t.insert(format!("namespace {line}"));
        }
    }
    for entry in std::fs::read_dir(std::env::temp_dir()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("rift-") && !name.starts_with("rift-test-") {
            t.insert(format!("temp dir {name}"));
        }
    }
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if programs.contains(&comm.trim()) {
            t.insert(format!(
                "process {} ({})",
                entry.file_name().to_string_lossy(),
                comm.trim()
            ));
        }
    }
    t
}

/// Waits for `child` (a rift command) for at most `limit`; past it, sends SIGINT (rift tears its
/// cluster down on it), waits, and gives `None`.
pub fn wait_at_most(child: &mut Child, limit: Duration) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if start.elapsed() > limit {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGINT,
            );
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
