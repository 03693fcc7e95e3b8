//! This machine as a host: a node's processes run in its network namespace (local backend) or
//! beside rift (loopback backend), as children of rift.

use super::{Host, ProcStatus, Reach};
use crate::cluster::process::{NodeUser, Proc};
use crate::cluster::shell::run_bounded;
use crate::system::{CommandOutput, NodeCommand};
use crate::RunError;
use faults::clock::ClockControl;
use faults::process::ProcessIdentity;
use faults::{FaultError, NodeId};
use nix::sys::signal::Signal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// This machine, in network namespace `namespace` if any.
#[derive(Debug, Clone)]
pub struct LocalHost {
    namespace: Option<String>,
}

impl LocalHost {
    /// The host of a node in `namespace` (`None`: the root namespace).
    pub fn new(namespace: Option<String>) -> LocalHost {
        LocalHost { namespace }
    }

    /// The node's namespace.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The node's namespace, whose firewall is the node's own; `Err` outside any.
    fn own_namespace(&self) -> Result<&str, FaultError> {
        self.namespace().ok_or_else(|| FaultError::Host {
            host: self.name(),
            what: "change firewall rules".into(),
            message: "a node outside any namespace has no firewall of its own".into(),
        })
    }
}

impl Host for LocalHost {
    fn name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("namespace {ns}"),
            None => "this machine".into(),
        }
    }

    fn resolve(&self, program: &Path) -> Result<PathBuf, RunError> {
        Ok(crate::system::on_path(&program.to_string_lossy()).unwrap_or_else(|| program.into()))
    }

    fn run(
        &self,
        command: &NodeCommand,
        env: &[(String, String)],
        cwd: &Path,
        timeout: Duration,
    ) -> Result<CommandOutput, String> {
        let mut cmd = crate::cluster::process::prepare(command, self.namespace(), env)
            .map_err(|e| e.to_string())?;
        cmd.current_dir(cwd);
        run_bounded(cmd, timeout).map_err(|why| format!("`{}`: {why}", command.line()))
    }

    fn spawn(
        &self,
        node: NodeId,
        command: &NodeCommand,
        env: &[(String, String)],
        log: &Path,
        cwd: &Path,
    ) -> Result<Proc, RunError> {
        Proc::spawn(node, command, self.namespace(), env, log, cwd)
    }

    fn signal(
        &self,
        node: NodeId,
        process: &ProcessIdentity,
        signal: Signal,
        reach: Reach,
    ) -> Result<bool, FaultError> {
        if !process.is_alive() {
            return Ok(false);
        }
        match reach {
            Reach::Group => faults::signals::signal_group(node, process.pid, signal),
            Reach::Tree => faults::signals::signal_tree(node, process.pid, signal),
        }
    }

    fn status(&self, process: &ProcessIdentity) -> ProcStatus {
        if process.is_stopped() {
            ProcStatus::Stopped
        } else if process.is_alive() {
            ProcStatus::Running
        } else {
            ProcStatus::Gone
        }
    }

    fn reap(&self, process: &mut Proc, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let gone = match process.child.as_mut() {
                Some(child) => matches!(child.try_wait(), Ok(Some(_))),
                None => !process.identity.is_alive(),
            };
            if gone {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn create_dir(&self, path: &Path, owner: Option<&str>) -> Result<(), RunError> {
        std::fs::create_dir_all(path).map_err(RunError::io("create", path))?;
        match owner {
            Some(user) => NodeUser::lookup(user)?.own(path),
            None => Ok(()),
        }
    }

    fn write_file(
        &self,
        path: &Path,
        contents: &[u8],
        owner: Option<&str>,
    ) -> Result<(), RunError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(RunError::io("create", dir))?;
        }
        std::fs::write(path, contents).map_err(RunError::io("write", path))?;
        match owner {
            Some(user) => NodeUser::lookup(user)?.own(path),
            None => Ok(()),
        }
    }

    fn fetch(&self, path: &Path, to: &Path) -> Result<(), RunError> {
        std::fs::copy(path, to)
            .map(|_| ())
            .map_err(RunError::io("copy", path))
    }

    fn restore_rules(&self, script: &str) -> Result<String, FaultError> {
        let ns = self.own_namespace()?;
        faults::iptables::restore(ns, script)?;
        faults::iptables::list(ns)
    }

    fn set_clock(&self, clock: &ClockControl, offset_ms: i64) -> Result<(), FaultError> {
        clock.set_offset_ms(offset_ms)
    }
}
