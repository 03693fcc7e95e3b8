//! The persisted state of a run: everything it created, written to a small JSON file before and
//! while it is created, so that `rift cleanup` can remove it after rift was killed with SIGKILL.
//!
//! The file is `<state dir>/<run id>.json`; the state dir is `$RIFT_STATE_DIR`, else
//! `/run/rift` when writable, else `$TMPDIR/rift-state`.

use super::host::SshConfig;
use super::RunId;
use crate::RunError;
use faults::process::ProcessIdentity;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything one run created that must go when it ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// The run.
    pub run_id: RunId,
    /// The rift process that owns the run; `rift cleanup` leaves runs whose owner lives alone.
    pub owner: ProcessIdentity,
    /// Network namespaces, by name.
    pub namespaces: Vec<String>,
    /// Links in the root namespace, by name.
    pub links: Vec<String>,
    /// Node and companion processes (each the leader of its process group).
    pub processes: Vec<ProcessIdentity>,
    /// The run's temp dir (faketime control files; data and logs unless a work dir was given;
    /// the SSH backend's control sockets).
    pub temp_dir: PathBuf,
    /// What the run created on other hosts (SSH backend).
    #[serde(default)]
    pub ssh: Option<SshState>,
}

/// What a run of the SSH backend created on its hosts: on each, its directory, rift's iptables
/// chain, and the processes listed here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SshState {
    /// How the hosts are reached.
    pub config: SshConfig,
    /// The hosts reached, node `i` on the `i`-th.
    pub hosts: Vec<String>,
    /// The run's directory on every host.
    pub run_dir: PathBuf,
    /// The processes started, each with the index of its host in `hosts`.
    pub processes: Vec<(usize, ProcessIdentity)>,
}

impl RunState {
    /// A new state for `run_id` owned by this process.
    pub fn new(run_id: RunId, temp_dir: PathBuf) -> RunState {
        let me = std::process::id() as i32;
        RunState {
            run_id,
            owner: ProcessIdentity::of(me).unwrap_or(ProcessIdentity {
                pid: me,
                start_time: 0,
            }),
            namespaces: Vec::new(),
            links: Vec::new(),
            processes: Vec::new(),
            temp_dir,
            ssh: None,
        }
    }

    /// Where this run's state is persisted.
    pub fn path(&self) -> PathBuf {
        state_dir().join(format!("{}.json", self.run_id))
    }

    /// Writes the state file (atomically, by rename).
    pub fn save(&self) -> Result<(), RunError> {
        let path = self.path();
        let dir = state_dir();
        std::fs::create_dir_all(&dir).map_err(RunError::io("create", &dir))?;
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).expect("a run state serialises");
        std::fs::write(&tmp, text).map_err(RunError::io("write", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(RunError::io("rename", &path))
    }

    /// Reads a state file.
    pub fn load(path: &Path) -> Result<RunState, RunError> {
        let text = std::fs::read_to_string(path).map_err(RunError::io("read", path))?;
        serde_json::from_str(&text).map_err(|e| RunError::State {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Every state file in the state dir.
    pub fn all() -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(state_dir()) else {
            return Vec::new();
        };
        let mut v: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        v.sort();
        v
    }
}

/// The directory of run state files.
pub fn state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RIFT_STATE_DIR") {
        return PathBuf::from(dir);
    }
    let run = Path::new("/run/rift");
    if nix::unistd::geteuid().is_root() && Path::new("/run").is_dir() {
        return run.to_path_buf();
    }
    std::env::temp_dir().join("rift-state")
}
