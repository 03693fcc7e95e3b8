//! The store's runs as the index lists them: one entry per run directory, read from its run.json
//! and results.json, kept between requests and re-read when results.json changes.

use checker::Verdict;
use runner::store::RunMeta;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// One run as the index shows it.
#[derive(Debug, Clone)]
pub struct Run {
    /// `<test>/<timestamp>`, relative to the store.
    pub path: String,
    /// The test's name.
    pub test: String,
    /// When it started (RFC 3339), for the order.
    pub started_at: String,
    /// The system under test (`booking`, `etcd`, ...).
    pub system: String,
    /// Its strategy: the system's options (`read=one replication=async`).
    pub strategy: String,
    /// The kinds of fault the nemesis drew from (`partition,pause`), or `none`.
    pub nemesis: String,
    /// The seed.
    pub seed: Option<u64>,
    /// valid, invalid, unknown, or why there is none (`error` for a run that stopped with an
    /// error of rift's own, its error.txt; `no results` for one that did not get as far as
    /// checking otherwise, as a run under way; `unreadable` when run.json cannot be read).
    pub verdict: String,
    /// Whether report.html was written.
    pub has_report: bool,
    /// Whether error.txt was written: the run stopped with an error of rift's own.
    pub has_error: bool,
}

/// The runs read so far, by directory, with the modification time of results.json they were
/// read at.
#[derive(Default)]
pub struct Runs {
    cache: Mutex<HashMap<PathBuf, (Option<SystemTime>, Run)>>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The directories in `dir`, links left out (a test's `latest` names a run listed anyway).
fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect()
}

#[derive(serde::Deserialize)]
struct VerdictOnly {
    verdict: Verdict,
}

/// A system's options in words: `read=one replication=async` (keys in order).
fn strategy(options: &serde_json::Map<String, serde_json::Value>) -> String {
    options
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How much of results.json is read for its verdict, its first field (results.json can hold
/// megabytes of checker details, and the index reads thousands of them).
const VERDICT_PREFIX: u64 = 8192;

/// The overall verdict of a results.json: read from the file's first bytes when the verdict is
/// its first key (as rift writes it), else from the whole file.
fn verdict_of(path: &Path) -> Option<Verdict> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(VERDICT_PREFIX)
        .read_to_end(&mut head)
        .ok()?;
    let first = (|| {
        let text = std::str::from_utf8(&head)
            .ok()?
            .trim_start()
            .strip_prefix('{')?;
        let value = text.trim_start().strip_prefix("\"verdict\"")?.trim_start();
        let value = value.strip_prefix(':')?;
        serde_json::Deserializer::from_str(value)
            .into_iter::<Verdict>()
            .next()?
            .ok()
    })();
    first.or_else(|| {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str::<VerdictOnly>(&text)
            .ok()
            .map(|r| r.verdict)
    })
}

fn read(root: &Path, dir: &Path) -> Run {
    let path = dir
        .strip_prefix(root)
        .unwrap_or(dir)
        .to_string_lossy()
        .into_owned();
    let test = path.split('/').next().unwrap_or("").to_string();
    let meta: Result<RunMeta, String> = std::fs::read_to_string(dir.join("run.json"))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()));
    let has_error = dir.join("error.txt").is_file();
    let no_results = if has_error { "error" } else { "no results" };
    let verdict = verdict_of(&dir.join("results.json")).map_or(no_results.into(), |v| {
        match v {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Unknown { .. } => "unknown",
        }
        .to_string()
    });
    let has_report = dir.join("report.html").is_file();
    match meta {
        Ok(m) => {
            let faults: Vec<String> = m
                .config
                .nemesis
                .faults
                .iter()
                .map(|k| {
                    serde_json::to_value(k)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .collect();
            Run {
                path,
                test,
                started_at: m.started_at,
                system: m.config.system.name.clone(),
                strategy: strategy(&m.config.system.options),
                nemesis: if faults.is_empty() {
                    "none".into()
                } else {
                    faults.join(",")
                },
                seed: Some(m.seed),
                verdict,
                has_report,
                has_error,
            }
        }
        Err(_) => Run {
            path,
            test,
            started_at: String::new(),
            system: String::new(),
            strategy: String::new(),
            nemesis: String::new(),
            seed: None,
            verdict: "unreadable".into(),
            has_report,
            has_error,
        },
    }
}

impl Runs {
    /// Every run under `root` (`<test>/<run>/run.json`), newest first. Runs not read before, or
    /// whose results.json changed, are read on every core.
    pub fn list(&self, root: &Path) -> Vec<Run> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let dirs: Vec<(PathBuf, Option<SystemTime>)> = subdirs(root)
            .iter()
            .flat_map(|test| subdirs(test))
            .filter(|dir| dir.join("run.json").is_file())
            .map(|dir| {
                let stamp = modified(&dir.join("results.json"));
                (dir, stamp)
            })
            .collect();
        let stale: Vec<&(PathBuf, Option<SystemTime>)> = dirs
            .iter()
            .filter(|(dir, stamp)| {
                !matches!(cache.get(dir), Some((s, _)) if s == stamp && stamp.is_some())
            })
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = stale.len().div_ceil(threads).max(1);
        let read_now: Vec<(PathBuf, Option<SystemTime>, Run)> = std::thread::scope(|scope| {
            let parts: Vec<_> = stale
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(dir, stamp)| (dir.clone(), *stamp, read(root, dir)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_default())
                .collect()
        });
        for (dir, stamp, run) in read_now {
            cache.insert(dir, (stamp, run));
        }
        let mut out: Vec<Run> = dirs
            .iter()
            .filter_map(|(dir, _)| {
                let mut run = cache.get(dir)?.1.clone();
                run.has_report = dir.join("report.html").is_file();
                Some(run)
            })
            .collect();
        out.sort_by(|a, b| (&b.started_at, &b.path).cmp(&(&a.started_at, &a.path)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_is_read_from_the_head_of_results_json_and_else_from_the_whole_file() {
        let dir = std::env::temp_dir().join(format!("rift-serve-verdict-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = dir.join("first.json");
        let details = "x".repeat(3 * VERDICT_PREFIX as usize);
        std::fs::write(
            &first,
            format!(
                "{{\n  \"verdict\": {{\"verdict\": \"invalid\"}},\n  \"checks\": [\"{details}\"]\n}}"
            ),
        )
        .unwrap();
        assert_eq!(verdict_of(&first), Some(Verdict::Invalid));
        let last = dir.join("last.json");
        std::fs::write(
            &last,
            format!(
                "{{\"checks\": [\"{details}\"], \"verdict\": {{\"verdict\": \"unknown\", \"reason\": \"r\"}}}}"
            ),
        )
        .unwrap();
        assert_eq!(verdict_of(&last), Some(Verdict::unknown("r")));
        assert_eq!(verdict_of(&dir.join("none.json")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
