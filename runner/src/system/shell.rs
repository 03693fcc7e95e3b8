//! Running a short command where a node runs: in its network namespace (or on its host), as a
//! given user, bounded in time. The cluster gives adapters a [`Shell`] for probes, primaries and
//! setup commands.

use super::command::NodeCommand;
use faults::NodeId;
use std::time::Duration;

/// What a finished command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// Whether it exited 0.
    pub success: bool,
    /// Its exit status in words (`exit status: 2`, `signal: 9`).
    pub status: String,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs commands on the cluster's nodes.
pub trait Shell: Sync {
    /// Runs `command` where node `node` runs, under its clock, waiting at most `timeout` (the
    /// command's process group is killed then). `Err` when it could not be run or did not finish.
    fn run(
        &self,
        node: NodeId,
        command: &NodeCommand,
        timeout: Duration,
    ) -> Result<CommandOutput, String>;
}
