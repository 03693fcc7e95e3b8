//! One node of a running cluster: its spec, its processes, its clock, and waiting for it to be
//! ready.

use super::host::Host;
use super::process::Proc;
use crate::system::{Adapter, Companion, NodeCommand, NodeSpec, Shell};
use crate::RunError;
use faults::clock::ClockControl;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A node and what rift holds of it.
#[derive(Debug)]
pub struct Node {
    /// How it is started.
    pub spec: NodeSpec,
    /// Where it runs.
    pub host: Arc<dyn Host>,
    /// Its log on its host (stdout and stderr of its processes, appended across restarts).
    pub log: PathBuf,
    /// Its clock's control file, when it runs under libfaketime.
    pub clock: Option<ClockControl>,
    /// Why libfaketime cannot reach it, if it cannot.
    pub clock_blocker: Option<String>,
    /// The node's process, unless killed.
    pub main: Option<Proc>,
    /// Its companions.
    pub companions: Vec<Proc>,
}

impl Node {
    /// The environment `program` (a name on the PATH or a path) gets to run under the node's
    /// clock.
    pub fn clock_env(&self, program: &str) -> Vec<(String, String)> {
        let resolved = crate::system::on_path(program).unwrap_or_else(|| program.into());
        self.clock
            .as_ref()
            .map(|c| c.env(&resolved))
            .unwrap_or_default()
    }

    /// The end of the node's log, in words, read through its host: the log lives in the run's
    /// directory, which teardown removes, so an error that outlives the run quotes it.
    pub fn log_tail(&self) -> String {
        let lines = LOG_TAIL_LINES.to_string();
        let log = self.log.to_string_lossy();
        let tail = NodeCommand::new("tail", ["-n", &lines, &log]);
        match self
            .host
            .run(&tail, &[], Path::new("/"), Duration::from_secs(5))
        {
            Ok(out) if out.success && out.stdout.trim().is_empty() => "its log is empty".into(),
            Ok(out) if out.success => {
                let quoted: Vec<String> = out.stdout.lines().map(|l| format!("  | {l}")).collect();
                format!("the end of its log:\n{}", quoted.join("\n"))
            }
            Ok(out) => format!("its log could not be read: {}", out.stderr.trim()),
            Err(e) => format!("its log could not be read: {e}"),
        }
    }
}

/// How many lines of a node's log an error that it did not start quotes.
const LOG_TAIL_LINES: usize = 20;

/// Waits until `adapter` finds `spec` ready, its main process stops being `alive`, or `timeout`
/// passes. An error quotes `log_tail()`.
pub fn wait_ready(
    adapter: &dyn Adapter,
    shell: &dyn Shell,
    spec: &NodeSpec,
    alive: &dyn Fn() -> bool,
    log_tail: &dyn Fn() -> String,
    timeout: Duration,
) -> Result<(), RunError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        let last = match adapter.probe(spec, shell) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if !alive() {
            return Err(RunError::Exited {
                node: spec.id,
                log_tail: log_tail(),
            });
        }
        if start.elapsed() >= timeout {
            return Err(RunError::NotReady {
                node: spec.id,
                waited_ms: start.elapsed().as_millis(),
                last,
                log_tail: log_tail(),
            });
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Waits until a companion of `node` accepts TCP connections (if it says where), bounded by
/// `timeout`.
pub fn wait_companion(
    companion: &Companion,
    node: &Node,
    timeout: Duration,
) -> Result<(), RunError> {
    let Some(addr) = companion.ready_tcp else {
        return Ok(());
    };
    let start = Instant::now();
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(_) => return Ok(()),
            Err(e) if start.elapsed() >= timeout => {
                return Err(RunError::NotReady {
                    node: node.spec.id,
                    waited_ms: start.elapsed().as_millis(),
                    last: format!("{} at {addr}: {e}", companion.name),
                    log_tail: node.log_tail(),
                })
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}
