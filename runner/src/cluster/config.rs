//! A cluster's configuration: a typed, serialisable value, apart from the running cluster.

use super::host::SshConfig;
use super::{RunId, Subnet};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where the nodes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// Local when rift is root and has `ip` and `iptables-restore`, else loopback (saying why).
    #[default]
    Auto,
    /// Each node in its own network namespace on a private bridge: every fault.
    Local,
    /// Every node on 127.0.0.1 with its own ports: pause, kill and clock faults only.
    Loopback,
    /// Each node on a host of its own, reached over SSH: every fault.
    Ssh,
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Backend, String> {
        match s {
            "auto" => Ok(Backend::Auto),
            "local" => Ok(Backend::Local),
            "loopback" => Ok(Backend::Loopback),
            "ssh" => Ok(Backend::Ssh),
            other => Err(format!(
                "backend is auto, local, loopback or ssh, not {other:?}"
            )),
        }
    }
}

/// How to build a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// How many nodes.
    pub nodes: usize,
    /// Where they run.
    pub backend: Backend,
    /// The run's id; a fresh one when absent.
    pub run_id: Option<RunId>,
    /// The local backend's subnet; by default a /24 in 10.128.0.0/9 chosen by the run id, and
    /// never one the host already routes.
    pub subnet: Option<Subnet>,
    /// Where node data directories and logs go (kept after the run); by default in the run's
    /// temp dir (removed after the run).
    pub work_dir: Option<PathBuf>,
    /// How long a node may take to become ready, in milliseconds.
    pub ready_timeout_ms: u64,
    /// Whether to start nodes under libfaketime so clock faults can reach them.
    pub clock: bool,
    /// The hosts of the SSH backend, and how to reach them.
    pub ssh: Option<SshConfig>,
}

impl Default for ClusterConfig {
    fn default() -> ClusterConfig {
        ClusterConfig {
            nodes: 3,
            backend: Backend::Auto,
            run_id: None,
            subnet: None,
            work_dir: None,
            ready_timeout_ms: 10_000,
            clock: true,
            ssh: None,
        }
    }
}
