//! Reading a stored run back.

use super::{FaultLine, Results, RunDir, RunMeta};
use crate::RunError;
use histories::formats::{read_path, Format};
use histories::History;
use std::path::Path;

/// A run read back from the store.
#[derive(Debug, Clone)]
pub struct StoredRun {
    /// Its directory.
    pub dir: RunDir,
    /// run.json.
    pub meta: RunMeta,
    /// history.jsonl (calls never completed read as info, see [`History::calls`]).
    pub history: History,
    /// faults.jsonl, in the order applied (empty when absent).
    pub faults: Vec<FaultLine>,
    /// results.json, when the run got as far as checking.
    pub results: Option<Results>,
}

/// Reads the run in `dir` (a run directory, or a test directory's `latest` link): its config,
/// history, faults and, if present, results. A runner killed mid-run leaves a run that loads, with
/// no results. This is what `rift check RUN_DIR` and `rift replay` call.
pub fn load_run(dir: &Path) -> Result<StoredRun, RunError> {
    let dir = RunDir::open(dir)?;
    let meta: RunMeta = read_json(&dir.meta())?;
    let history = read_path(&dir.history(), Some(Format::Jsonl))?;
    let faults = read_faults(&dir)?;
    let results = if dir.results().is_file() {
        Some(read_json(&dir.results())?)
    } else {
        None
    };
    Ok(StoredRun {
        dir,
        meta,
        history,
        faults,
        results,
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, RunError> {
    let text = std::fs::read_to_string(path).map_err(RunError::io("read", path))?;
    serde_json::from_str(&text).map_err(|e| RunError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        message: e.to_string(),
    })
}

/// The faults a run applied, from its faults.jsonl (none when it has none).
pub fn read_faults(dir: &RunDir) -> Result<Vec<FaultLine>, RunError> {
    let path = &dir.faults();
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(path).map_err(RunError::io("read", path))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| RunError::Json {
                path: path.to_path_buf(),
                line: i + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Invocation, Recorder};
    use crate::run::RunConfig;
    use crate::store::{HostFacts, RunStats};
    use crate::system::Completion;
    use checker::Verdict;
    use faults::{Fault, FaultRecord, Outcome, Target};
    use histories::Header;
    use serde_json::json;
    use std::time::{Instant, SystemTime};

    fn root(name: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("rift-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        p
    }

    fn meta() -> RunMeta {
        let config = RunConfig {
            seed: Some(9),
            ..RunConfig::default()
        };
        RunMeta {
            config,
            run_id: "0000abcd".into(),
            replay_of: None,
            seed: 9,
            rift_version: "test".into(),
            started_at: "now".into(),
            host: HostFacts::here(),
            reproduce: "rift run --seed 9".into(),
        }
    }

    #[test]
    fn a_stored_run_reads_back_with_its_config_history_faults_and_results() {
        let root = root("roundtrip");
        let dir = RunDir::create(&root, "booking", SystemTime::now(), true).unwrap();
        dir.write_meta(&meta()).unwrap();
        let rec =
            Recorder::create(dir.history(), Header::default(), Instant::now(), false).unwrap();
        let book = crate::workload::BookingOp::Book {
            room: 0,
            guest: "g1".into(),
        };
        let inv = Invocation::new(crate::workload::Operation::Booking(book), faults::NodeId(0));
        rec.invoke(0, &inv, "n0");
        rec.complete(0, &inv, "n0", &Completion::Ok(json!("g1")));
        rec.invoke(1, &inv, "n1");
        rec.finish().unwrap();
        dir.append_fault(&FaultLine {
            planned_at: Some(5),
            start: 6,
            end: 7,
            record: FaultRecord {
                fault: Fault::Pause {
                    target: Target::One,
                },
                nodes: vec![faults::NodeId(1)],
                grudge: None,
                outcome: Outcome::Installed,
                effects: vec![],
            },
        })
        .unwrap();
        let results = Results {
            verdict: Verdict::Valid,
            checks: vec![],
            stats: RunStats::default(),
            coverage: Some(report::Coverage {
                share_under_faults: 0.5,
                ops: vec![],
                warnings: vec![report::Warning::FewOkCalls { ok: 1 }],
            }),
        };
        dir.write_results(&results).unwrap();
        let run = load_run(&root.join("booking/latest")).unwrap();
        assert_eq!(run.meta, meta());
        assert_eq!(run.history.ops.len(), 3);
        let calls = run.history.calls().unwrap();
        assert!(calls[1].is_open(), "the call never completed reads as info");
        assert_eq!(run.faults.len(), 1);
        assert_eq!(run.results, Some(results));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn two_runs_in_the_same_millisecond_get_two_directories_and_latest_names_the_second() {
        let root = root("twice");
        let t = SystemTime::now();
        let a = RunDir::create(&root, "t", t, true).unwrap();
        let b = RunDir::create(&root, "t", t, true).unwrap();
        assert_ne!(a.path, b.path);
        let latest = std::fs::canonicalize(root.join("t/latest")).unwrap();
        assert_eq!(latest, std::fs::canonicalize(&b.path).unwrap());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_directory_without_run_json_is_refused_by_name() {
        let root = root("notarun");
        std::fs::create_dir_all(&root).unwrap();
        let e = load_run(&root).unwrap_err().to_string();
        assert!(e.contains("not a rift run directory"), "{e}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
