//! Starting one process of a node (the node itself, or a companion): in the node's namespace,
//! as the leader of its own process group, its output appended to the node's log.

use crate::systems::NodeCommand;
use crate::RunError;
use faults::process::ProcessIdentity;
use faults::NodeId;
use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A process rift started: its handle (to reap it) and its identity (to never signal a
/// recycled pid).
#[derive(Debug)]
pub struct Proc {
    /// The child handle.
    pub child: Child,
    /// Its pid and start time; its pid is also its process group id.
    pub identity: ProcessIdentity,
}

impl Proc {
    /// Starts `command` for `node`, in network namespace `namespace` if any, with `extra_env`,
    /// output appended to `log`, in directory `cwd`.
    pub fn spawn(
        node: NodeId,
        command: &NodeCommand,
        namespace: Option<&str>,
        extra_env: &[(String, String)],
        log: &Path,
        cwd: &Path,
    ) -> Result<Proc, RunError> {
        let program = command.program.to_string_lossy().into_owned();
        let mut cmd = match namespace {
            Some(ns) => faults::netns::command_in(ns, &program)?,
            None => Command::new(&program),
        };
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(RunError::io("open", log))?;
        let err = out.try_clone().map_err(RunError::io("open", log))?;
        cmd.args(&command.args)
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .envs(extra_env.iter().map(|(k, v)| (k, v)))
            .current_dir(cwd)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let line = faults::describe_command(&cmd);
        let child = cmd.spawn().map_err(|source| RunError::Spawn {
            node,
            command: line,
            source,
        })?;
        let pid = child.id() as i32;
        // Until reaped, even a process that exited at once keeps its /proc entry.
        let identity = ProcessIdentity::of(pid).unwrap_or(ProcessIdentity { pid, start_time: 0 });
        Ok(Proc { child, identity })
    }

    /// Kills the process group with SIGKILL (resuming it first) and reaps the process, waiting
    /// at most `timeout`. Returns whether it is gone.
    pub fn kill(&mut self, timeout: Duration) -> bool {
        if self.child.try_wait().ok().flatten().is_some() {
            return true;
        }
        let pgid = nix::unistd::Pid::from_raw(self.identity.pid);
        let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGCONT);
        let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
        self.reap(timeout)
    }

    /// Waits at most `timeout` for the process to exit and reaps it. Returns whether it exited.
    pub fn reap(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}
