//! Where a node's processes run, and the few things rift does there: run a command, start a
//! long-lived process and know its pid, signal its tree, read its state, write and fetch files,
//! rewrite the node's firewall chain, set its clock. The cluster does everything to a node
//! through its [`Host`], so every fault and every adapter works on every backend.
//!
//! - [`LocalHost`]: this machine, inside the node's network namespace (or none, on loopback);
//! - [`SshHost`]: another machine, over one multiplexed OpenSSH connection per host.

mod local;
mod quote;
mod ssh;
mod ssh_config;
mod ssh_hosts;
mod ssh_scripts;

pub use local::LocalHost;
pub use ssh::SshHost;
pub use ssh_config::SshConfig;
pub use ssh_hosts::SshHosts;

use super::process::Proc;
use crate::system::{CommandOutput, NodeCommand};
use crate::RunError;
use faults::clock::ClockControl;
use faults::iptables::RuleSet;
use faults::process::ProcessIdentity;
use faults::{FaultError, NodeId};
use nix::sys::signal::Signal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a process rift started is doing now, as its host sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcStatus {
    /// Running (or sleeping).
    Running,
    /// Stopped by SIGSTOP.
    Stopped,
    /// Exited, killed, or its pid now names another process.
    Gone,
}

/// Which processes of a node a signal goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The process group the node's process leads: a polite stop, which the program passes on
    /// as it sees fit.
    Group,
    /// The group and every descendant of its leader, wherever their group: a fault.
    Tree,
}

/// A machine the nodes of a cluster run on, and how rift acts there.
pub trait Host: Send + Sync + std::fmt::Debug {
    /// How messages name the host: `namespace rift-1a2b3c4d-n0`, `host n1`.
    fn name(&self) -> String;

    /// Where the host has `program`: a name is looked up on the host's PATH, a path is taken
    /// as it is, or (SSH) this machine's file at that path is uploaded when the host has none.
    /// `Err` says the host has no such program.
    fn resolve(&self, program: &Path) -> Result<PathBuf, RunError>;

    /// Runs `command` to its end, as its user, in `cwd`, with `env` added, killing it after
    /// `timeout`.
    fn run(
        &self,
        command: &NodeCommand,
        env: &[(String, String)],
        cwd: &Path,
        timeout: Duration,
    ) -> Result<CommandOutput, String>;

    /// Starts `command` for `node` detached, as the leader of its own process group, with `env`
    /// added, its output appended to `log`, in `cwd`.
    fn spawn(
        &self,
        node: NodeId,
        command: &NodeCommand,
        env: &[(String, String)],
        log: &Path,
        cwd: &Path,
    ) -> Result<Proc, RunError>;

    /// Sends `signal` to the processes of `process` that `reach` says. `Ok(false)` when it is
    /// gone.
    fn signal(
        &self,
        node: NodeId,
        process: &ProcessIdentity,
        signal: Signal,
        reach: Reach,
    ) -> Result<bool, FaultError>;

    /// What `process` is doing.
    fn status(&self, process: &ProcessIdentity) -> ProcStatus;

    /// Waits at most `timeout` for `process` to be gone (reaping it where rift is its parent).
    /// Returns whether it is gone.
    fn reap(&self, process: &mut Proc, timeout: Duration) -> bool;

    /// Creates directory `path` (and its parents), owned by `owner` if given.
    fn create_dir(&self, path: &Path, owner: Option<&str>) -> Result<(), RunError>;

    /// Writes `contents` to file `path`, owned by `owner` if given.
    fn write_file(&self, path: &Path, contents: &[u8], owner: Option<&str>)
        -> Result<(), RunError>;

    /// Copies the host's file `path` to this machine's `to`.
    fn fetch(&self, path: &Path, to: &Path) -> Result<(), RunError>;

    /// Runs the iptables-restore script `script` (rift's chain only, `--noflush`), then gives
    /// what `iptables -S` lists.
    fn restore_rules(&self, script: &str) -> Result<String, FaultError>;

    /// Makes rift's chain what `script` (of `rules`) asks, and checks it by listing the rules
    /// back: iptables-restore's success is not taken for the rules being in force. Tries up to
    /// three times; `Some` names what still differs.
    fn firewall(&self, rules: &RuleSet, script: &str) -> Result<Option<String>, FaultError> {
        let mut differs = None;
        for _ in 0..3 {
            differs = rules.differences(script, &self.restore_rules(script)?);
            if differs.is_none() {
                break;
            }
            tracing::warn!(
                "{}: rules not as asked after a restore: {differs:?}",
                self.name()
            );
        }
        Ok(differs.map(|d| format!("{}: {d}", self.name())))
    }

    /// Sets the clock whose control file is `clock` to run `offset_ms` from real time.
    fn set_clock(&self, clock: &ClockControl, offset_ms: i64) -> Result<(), FaultError>;

    /// Kills the tree of `process` and waits at most `timeout` for it. Returns whether it is gone.
    fn kill(&self, node: NodeId, process: &mut Proc, timeout: Duration) -> bool {
        if self.status(&process.identity) == ProcStatus::Gone {
            self.reap(process, Duration::from_millis(100));
            return true;
        }
        let _ = self.signal(node, &process.identity, Signal::SIGKILL, Reach::Tree);
        self.reap(process, timeout)
    }
}
