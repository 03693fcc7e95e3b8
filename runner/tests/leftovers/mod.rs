//! What a process's runs left behind: a watch that notes every run a given process owns while
//! it runs (from the run state files), and, afterwards, whatever of those runs still exists
//! (namespace, link, iptables rule, node process, temp dir, state file).

use runner::cluster::RunState;
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Notes, every 50 ms, the state of each run owned by one process (the last state read of each
/// run lists all it made: its state file is rewritten as it creates things).
pub struct Watch {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<RunState>>,
}

impl Watch {
    /// Starts watching the runs of process `owner`.
    pub fn start(owner: u32) -> Watch {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut seen: BTreeMap<String, RunState> = BTreeMap::new();
            loop {
                let last = flag.load(Ordering::Relaxed);
                for path in RunState::all() {
                    if let Ok(s) = RunState::load(&path) {
                        if s.owner.pid == owner as i32 {
                            seen.insert(s.run_id.to_string(), s);
                        }
                    }
                }
                if last {
                    return seen.into_values().collect();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Watch { stop, thread }
    }

    /// Stops watching; the runs seen, by run id.
    pub fn stop(self) -> Vec<RunState> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the watch thread")
    }
}

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
        left.push(format!("an iptables rule of run {id}"));
    }
    for p in &run.processes {
        if p.is_alive() {
            left.push(format!("node process {} of run {id}", p.pid));
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
