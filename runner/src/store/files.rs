//! A run's directory and the files in it.

use super::{FaultLine, Results, RunMeta};
use crate::RunError;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One run's directory in the store.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// `<store>/<test>/<timestamp>`.
    pub path: PathBuf,
}

/// A directory name for `time`: `20261127T153012.345Z` (UTC, sortable, no colons).
fn stamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time)
        .to_string()
        .replace(['-', ':'], "")
}

impl RunDir {
    /// Creates `<root>/<test>/<timestamp>/` (and `nodes/` in it) for a run started at `time`,
    /// and, with `latest`, points `<root>/<test>/latest` at it (a replay leaves `latest` on the
    /// originals). Its path is absolute.
    pub fn create(
        root: &Path,
        test: &str,
        time: SystemTime,
        latest: bool,
    ) -> Result<RunDir, RunError> {
        let root = std::path::absolute(root).map_err(RunError::io("resolve", root))?;
        let test_dir = root.join(test);
        std::fs::create_dir_all(&test_dir).map_err(RunError::io("create", &test_dir))?;
        let base = stamp(time);
        let mut name = base.clone();
        let mut n = 1;
        let path = loop {
            let p = test_dir.join(&name);
            match std::fs::create_dir(&p) {
                Ok(()) => break p,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => {
                    n += 1;
                    name = format!("{base}-{n}");
                }
                Err(e) => return Err(RunError::io("create", &p)(e)),
            }
        };
        let nodes = path.join("nodes");
        std::fs::create_dir(&nodes).map_err(RunError::io("create", &nodes))?;
        if !latest {
            return Ok(RunDir { path });
        }
        let latest = test_dir.join("latest");
        let tmp = test_dir.join(format!(".latest-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&name, &tmp).map_err(RunError::io("link", &tmp))?;
        std::fs::rename(&tmp, &latest).map_err(RunError::io("rename", &latest))?;
        Ok(RunDir { path })
    }

    /// An existing run directory.
    pub fn open(path: &Path) -> Result<RunDir, RunError> {
        if !path.join("run.json").is_file() {
            return Err(RunError::NotARun(path.to_path_buf()));
        }
        Ok(RunDir {
            path: path.to_path_buf(),
        })
    }

    /// history.jsonl.
    pub fn history(&self) -> PathBuf {
        self.path.join("history.jsonl")
    }

    /// faults.jsonl.
    pub fn faults(&self) -> PathBuf {
        self.path.join("faults.jsonl")
    }

    /// The directory of the nodes' logs.
    pub fn nodes(&self) -> PathBuf {
        self.path.join("nodes")
    }

    /// run.json.
    pub fn meta(&self) -> PathBuf {
        self.path.join("run.json")
    }

    /// results.json.
    pub fn results(&self) -> PathBuf {
        self.path.join("results.json")
    }

    /// error.txt: why a run stopped with an error of rift's own (exit 3) instead of a verdict.
    pub fn error(&self) -> PathBuf {
        self.path.join("error.txt")
    }

    /// Writes error.txt; a failure to write it is only logged, the error itself being what the
    /// caller reports.
    pub fn write_error(&self, error: &RunError) {
        let path = self.error();
        if let Err(e) = std::fs::write(&path, format!("{error}\n")) {
            tracing::warn!("could not write {}: {e}", path.display());
        }
    }

    /// Writes run.json.
    pub fn write_meta(&self, meta: &RunMeta) -> Result<(), RunError> {
        write_json(&self.meta(), meta)
    }

    /// Writes results.json.
    pub fn write_results(&self, results: &Results) -> Result<(), RunError> {
        write_json(&self.results(), results)
    }

    /// Appends one line to faults.jsonl and syncs it, so a killed runner leaves it readable.
    pub fn append_fault(&self, line: &FaultLine) -> Result<(), RunError> {
        let path = self.faults();
        let mut f = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(RunError::io("open", &path))?;
        let mut text = serde_json::to_vec(line).expect("a fault line serialises");
        text.push(b'\n');
        f.write_all(&text).map_err(RunError::io("write", &path))
    }
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), RunError> {
    let mut text = serde_json::to_vec_pretty(value).expect("store records serialise");
    text.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(RunError::io("write", &tmp))?;
    std::fs::rename(&tmp, path).map_err(RunError::io("rename", path))
}
