//! Tearing a run down from its [`RunState`]: the one procedure behind a normal exit, an error,
//! a panic (Drop), SIGINT/SIGTERM, and `rift cleanup` after a SIGKILL.
//!
//! Order: resume then kill every recorded process whose pid still names the same process (start
//! time checked) and every process inside the run's namespaces; wait for them to die; delete the
//! root-namespace links and the namespaces (with them go their links and iptables rules); on
//! every host of the SSH backend, kill the run's processes and remove its chain and directory
//! (over fresh connections), then stop any SSH master connection left in the temp dir; remove
//! the temp dir (faketime control files included) and the state file.

use super::host::SshHosts;
use super::{state::state_dir, RunState};
use faults::iptables::RuleSet;
use faults::process::ProcessIdentity;
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use std::process::Command;
use std::time::{Duration, Instant};

/// What a teardown removed, and what it could not.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TeardownReport {
    /// Processes killed.
    pub processes: usize,
    /// Namespaces deleted.
    pub namespaces: usize,
    /// Root-namespace links deleted.
    pub links: usize,
    /// Whether the temp dir was removed.
    pub temp_dir: bool,
    /// What could not be removed, in words.
    pub problems: Vec<String>,
}

impl std::fmt::Display for TeardownReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} processes killed, {} namespaces and {} links deleted{}",
            self.processes,
            self.namespaces,
            self.links,
            if self.temp_dir {
                ", temp dir removed"
            } else {
                ""
            }
        )?;
        for p in &self.problems {
            write!(f, "; {p}")?;
        }
        Ok(())
    }
}

/// Tears down everything `state` records. Idempotent: what is already gone is skipped.
pub fn teardown(state: &RunState) -> TeardownReport {
    let mut report = TeardownReport::default();
    let mut victims: Vec<ProcessIdentity> = state
        .processes
        .iter()
        .copied()
        .filter(ProcessIdentity::is_alive)
        .collect();
    for ns in &state.namespaces {
        victims.extend(
            pids_in_namespace(ns)
                .into_iter()
                .filter_map(ProcessIdentity::of),
        );
    }
    victims.sort_by_key(|p| p.pid);
    victims.dedup();
    for p in &victims {
        // Its whole tree: descendants that left its group (PostgreSQL's backends) too.
        let _ = faults::signals::send_tree(p.pid, Signal::SIGKILL);
        let _ = nix::sys::signal::kill(Pid::from_raw(p.pid), Signal::SIGKILL);
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while victims.iter().any(ProcessIdentity::is_alive) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    for p in victims.iter().filter(|p| p.is_alive()) {
        report
            .problems
            .push(format!("process {} did not die within 3 s", p.pid));
    }
    report.processes = victims.len();
    for link in &state.links {
        if link_exists(link) {
            match ip(&["link", "del", link]) {
                Ok(()) => report.links += 1,
                Err(e) => report.problems.push(e),
            }
        }
    }
    let existing = namespaces();
    for ns in state.namespaces.iter().rev() {
        if existing.contains(ns) {
            match ip(&["netns", "del", ns]) {
                Ok(()) => report.namespaces += 1,
                Err(e) => report.problems.push(e),
            }
        }
    }
    if let Some(ssh) = &state.ssh {
        report.problems.extend(clean_hosts(state, ssh));
    }
    stop_masters(&state.temp_dir.join("ssh"));
    if state.temp_dir.starts_with(std::env::temp_dir()) && state.temp_dir.exists() {
        match std::fs::remove_dir_all(&state.temp_dir) {
            Ok(()) => report.temp_dir = true,
            Err(e) => report
                .problems
                .push(format!("cannot remove {}: {e}", state.temp_dir.display())),
        }
    }
    if report.problems.is_empty() {
        let _ = std::fs::remove_file(state_dir().join(format!("{}.json", state.run_id)));
    }
    report
}

/// Connects anew to the hosts `ssh` lists and removes what the run left there.
fn clean_hosts(state: &RunState, ssh: &super::SshState) -> Vec<String> {
    let config = super::host::SshConfig {
        hosts: ssh.hosts.clone(),
        ..ssh.config.clone()
    };
    let control = state.temp_dir.join("ssh-cleanup");
    let hosts = match SshHosts::connect(&config, ssh.hosts.len(), &control, &ssh.run_dir) {
        Ok(h) => h,
        Err(e) => return vec![format!("cannot clean the run's hosts: {e}")],
    };
    let left = hosts.clean(&ssh.processes, &RuleSet::new(state.run_id.as_str()));
    hosts.close();
    left
}

/// Stops every SSH master connection whose control socket is under `dir` (`ssh -O exit`); a
/// control process killed with SIGKILL leaves its masters running.
fn stop_masters(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let socket = entry.path().join("master");
        if socket.exists() {
            let _ = Command::new("ssh")
                .arg("-S")
                .arg(&socket)
                .args(["-O", "exit", "rift-master"])
                .output();
        }
    }
}

/// The network namespaces `ip netns` knows, by name.
pub fn namespaces() -> Vec<String> {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// The links of the root namespace, by name.
pub fn root_links() -> Vec<String> {
    let Ok(out) = Command::new("ip").args(["-o", "link", "show"]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split(':').nth(1))
        .map(|name| name.trim().split('@').next().unwrap_or("").to_string())
        .collect()
}

fn link_exists(name: &str) -> bool {
    std::path::Path::new("/sys/class/net").join(name).exists()
}

/// The pids of the processes inside network namespace `ns`.
pub fn pids_in_namespace(ns: &str) -> Vec<i32> {
    let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn ip(args: &[&str]) -> Result<(), String> {
    faults::run_command(Command::new("ip").args(args), None)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
