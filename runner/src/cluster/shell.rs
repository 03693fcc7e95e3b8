//! The cluster as a [`Shell`]: a command run where a node runs (its host, its namespace, its
//! clock, the command's user, its data directory as the working directory), bounded in time.

use super::Cluster;
use crate::system::{CommandOutput, NodeCommand, Shell};
use faults::NodeId;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

impl Shell for Cluster {
    fn run(
        &self,
        node: NodeId,
        command: &NodeCommand,
        timeout: Duration,
    ) -> Result<CommandOutput, String> {
        let n = self
            .nodes
            .get(node.0)
            .ok_or_else(|| format!("no node {node} in a cluster of {}", self.nodes.len()))?;
        let clock = n.clock_env(&command.program.to_string_lossy());
        n.host.run(command, &clock, &n.spec.data_dir, timeout)
    }
}

/// Runs `cmd` to its end, or kills its process group after `timeout`.
pub(super) fn run_bounded(mut cmd: Command, timeout: Duration) -> Result<CommandOutput, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let pgid = nix::unistd::Pid::from_raw(child.id() as i32);
    let (out, err) = (child.stdout.take(), child.stderr.take());
    std::thread::scope(|scope| {
        let stdout = scope.spawn(move || drain(out));
        let stderr = scope.spawn(move || drain(err));
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Ok(None) => {
                    let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
                    let _ = child.wait();
                    break Err(format!("did not finish within {timeout:?}; killed"));
                }
                Err(e) => break Err(format!("cannot wait: {e}")),
            }
        };
        let (stdout, stderr) = (
            stdout.join().unwrap_or_default(),
            stderr.join().unwrap_or_default(),
        );
        let status = status?;
        Ok(CommandOutput {
            success: status.success(),
            status: status.to_string(),
            stdout,
            stderr,
        })
    })
}

/// Everything a pipe gives until it closes, as text.
fn drain(pipe: Option<impl Read>) -> String {
    let mut text = String::new();
    if let Some(mut p) = pipe {
        let _ = p.read_to_string(&mut text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_gives_its_output_and_status() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let o = run_bounded(cmd, Duration::from_secs(5)).unwrap();
        assert!(!o.success);
        assert_eq!((o.stdout.as_str(), o.stderr.as_str()), ("out\n", "err\n"));
        assert!(o.status.contains('3'), "{}", o.status);
    }

    #[test]
    fn a_command_that_outlives_its_timeout_is_killed_with_its_children() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30 & sleep 30"]);
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let began = Instant::now();
        let e = run_bounded(cmd, Duration::from_millis(200)).unwrap_err();
        assert!(e.contains("did not finish"), "{e}");
        assert!(
            began.elapsed() < Duration::from_secs(5),
            "{:?}",
            began.elapsed()
        );
    }
}
