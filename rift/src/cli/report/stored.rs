//! A stored run's report: the run read back, re-checked, and drawn.

use checker::{Evidence, Judgement, Verdict};
use report::{fault_bands, AppliedFault, RawFile, RunFacts, RunReport, Witness};
use runner::store::{load_run, StoredRun};
use std::path::Path;
use std::time::Duration;

/// How long each checker may take before its verdict is Unknown (as in `rift run`).
const CHECK_LIMIT: Duration = Duration::from_secs(60);

/// The report page of the run in `dir` and the verdict of its checkers. Links to the run's files
/// are relative when the page is written in the run's directory (`page_dir`), else absolute.
pub fn render_run(dir: &Path, page_dir: Option<&Path>) -> anyhow::Result<(String, Verdict)> {
    let run = load_run(dir)?;
    let config = &run.meta.config;
    let judgements = config
        .workload
        .workload()?
        .checkers(&config.workload, CHECK_LIMIT)
        .judge(&run.history);
    let verdict: Verdict = judgements.iter().map(|j| j.verdict.clone()).collect();
    let witness = witness(&run, &judgements);
    let same_dir = match (page_dir, std::fs::canonicalize(&run.dir.path)) {
        (Some(p), Ok(d)) => {
            let p = if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            };
            std::fs::canonicalize(p).is_ok_and(|p| p == d)
        }
        _ => false,
    };
    let applied: Vec<AppliedFault> = run
        .faults
        .iter()
        .map(|l| AppliedFault {
            start: l.start,
            end: l.end,
            record: l.record.clone(),
        })
        .collect();
    let name = std::fs::canonicalize(&run.dir.path)
        .unwrap_or_else(|_| run.dir.path.clone())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report = RunReport {
        title: format!("{} {name}", run.meta.config.test),
        history: &run.history,
        judgements: &judgements,
        witness,
        faults: fault_bands(&applied),
        run: Some(facts(&run, same_dir)),
    };
    Ok((report::render(&report), verdict))
}

/// The shrunk witness of an invalid linearizability verdict, found as `rift run` finds it.
fn witness(run: &StoredRun, judgements: &[Judgement]) -> Option<Witness> {
    let invalid_linear = judgements
        .iter()
        .any(|j| matches!(j.evidence, Evidence::Linear(_)) && j.verdict == Verdict::Invalid);
    if !invalid_linear {
        return None;
    }
    let w = runner::run::check(&run.meta.config, &run.history).witness?;
    Some(Witness {
        ops: w.ops.iter().map(|o| o.index).collect(),
        summary: format!(
            "{} ops of the failing key that are still not linearizable; removing any call makes \
             them linearizable.",
            w.ops.len()
        ),
    })
}

/// The run's seed, reproduce command, config and files.
fn facts(run: &StoredRun, relative: bool) -> RunFacts {
    let dir = &run.dir.path;
    let link = |name: &str| {
        if relative {
            name.to_string()
        } else {
            std::fs::canonicalize(dir.join(name))
                .unwrap_or_else(|_| dir.join(name))
                .display()
                .to_string()
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
        .unwrap_or_else(|_| serde_json::to_string_pretty(&run.meta.config).unwrap_or_default());
    RunFacts {
        seed: run.meta.seed,
        reproduce: run.meta.reproduce.clone(),
        config_toml,
        started_at: run.meta.started_at.clone(),
        files,
    }
}
