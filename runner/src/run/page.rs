//! The run's report page, report.html: the run's history, faults, judgements and witness drawn
//! by the `report` crate, with the run's facts and links to its files (relative: the page sits in
//! the run's directory, or absolute when it is written elsewhere).

use super::check::Checked;
use crate::store::StoredRun;
use crate::RunError;
use report::{fault_bands, AppliedFault, FaultBand, RawFile, RunFacts, RunReport, Witness};
use std::path::{Path, PathBuf};

/// The fault bands of a stored run's faults.jsonl.
pub fn bands(run: &StoredRun) -> Vec<FaultBand> {
    let applied: Vec<AppliedFault> = run
        .faults
        .iter()
        .map(|l| AppliedFault {
            start: l.start,
            end: l.end,
            record: l.record.clone(),
        })
        .collect();
    fault_bands(&applied)
}

/// The page of `run`, checked as `checked` says; links to the run's files are relative when the
/// page is written in the run's directory (`page_dir`), else absolute.
pub fn render(run: &StoredRun, checked: &Checked, page_dir: &Path) -> String {
    let run_dir = std::fs::canonicalize(&run.dir.path).unwrap_or_else(|_| run.dir.path.clone());
    let relative = std::fs::canonicalize(page_dir).is_ok_and(|p| p == run_dir);
    let name = run_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report = RunReport {
        title: format!("{} {name}", run.meta.config.test),
        history: &run.history,
        judgements: &checked.judgements,
        witness: checked.witness.as_ref().ok().map(Witness::of),
        faults: bands(run),
        run: Some(facts(run, &run_dir, relative)),
    };
    report::render(&report)
}

/// Writes the page of `run` as its directory's report.html; returns its path.
pub fn write(run: &StoredRun, checked: &Checked) -> Result<PathBuf, RunError> {
    let path = run.dir.path.join("report.html");
    let html = render(run, checked, &run.dir.path);
    std::fs::write(&path, html).map_err(RunError::io("write", &path))?;
    Ok(path)
}

/// The run's seed, reproduce command, config and files.
fn facts(run: &StoredRun, dir: &Path, relative: bool) -> RunFacts {
    let link = |name: &str| {
        if relative {
            name.to_string()
        } else {
            dir.join(name).display().to_string()
        }
    };
    let mut files = Vec::new();
    for (label, name) in [
        ("history", "history.jsonl"),
        ("faults", "faults.jsonl"),
        ("run facts", "run.json"),
        ("results", "results.json"),
        ("config", "config.toml"),
    ] {
        if dir.join(name).is_file() {
            files.push(RawFile {
                label: format!("{label} ({name})"),
                href: link(name),
            });
        }
    }
    let mut logs: Vec<String> = std::fs::read_dir(dir.join("nodes"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    logs.sort();
    for log in logs {
        files.push(RawFile {
            label: format!("log of {}", log.trim_end_matches(".log")),
            href: link(&format!("nodes/{log}")),
        });
    }
    let config_toml = std::fs::read_to_string(dir.join("config.toml"))
        .unwrap_or_else(|_| run.meta.config.to_toml());
    RunFacts {
        seed: run.meta.seed,
        reproduce: run.meta.reproduce.clone(),
        config_toml,
        started_at: run.meta.started_at.clone(),
        files,
    }
}
