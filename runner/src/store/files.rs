//! A run's directory and the files in it.

use super::{FaultLine, Results, RunMeta};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A run store error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or directory could not be created, written or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A JSON file is not what rift writes.
    #[error("{path}:{line}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
        /// serde's message.
        message: String,
    },
    /// The history could not be read.
    #[error(transparent)]
    History(#[from] histories::HistoryError),
    /// The directory is not a run directory.
    #[error("{0} is not a rift run directory (no run.json)")]
    NotARun(PathBuf),
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

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
    /// Creates `<root>/<test>/<timestamp>/` (and `nodes/` in it) for a run started at `time`, and
    /// points `<root>/<test>/latest` at it.
    pub fn create(root: &Path, test: &str, time: SystemTime) -> Result<RunDir, StoreError> {
        let test_dir = root.join(test);
        std::fs::create_dir_all(&test_dir).map_err(io(&test_dir))?;
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
                Err(e) => return Err(io(&p)(e)),
            }
        };
        let nodes = path.join("nodes");
        std::fs::create_dir(&nodes).map_err(io(&nodes))?;
        let latest = test_dir.join("latest");
        let tmp = test_dir.join(format!(".latest-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&name, &tmp).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &latest).map_err(io(&latest))?;
        Ok(RunDir { path })
    }

    /// An existing run directory.
    pub fn open(path: &Path) -> Result<RunDir, StoreError> {
        if !path.join("run.json").is_file() {
            return Err(StoreError::NotARun(path.to_path_buf()));
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

    /// Writes run.json.
    pub fn write_meta(&self, meta: &RunMeta) -> Result<(), StoreError> {
        write_json(&self.meta(), meta)
    }

    /// Writes results.json.
    pub fn write_results(&self, results: &Results) -> Result<(), StoreError> {
        write_json(&self.results(), results)
    }

    /// Appends one line to faults.jsonl and syncs it, so a killed runner leaves it readable.
    pub fn append_fault(&self, line: &FaultLine) -> Result<(), StoreError> {
        let path = self.faults();
        let mut f = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let mut text = serde_json::to_vec(line).expect("a fault line serialises");
        text.push(b'\n');
        f.write_all(&text).map_err(io(&path))
    }
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), StoreError> {
    let mut text = serde_json::to_vec_pretty(value).expect("store records serialise");
    text.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}
