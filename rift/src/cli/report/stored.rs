//! A stored run's report: the run read back, re-checked as `rift run` checks it, and drawn.

use checker::Verdict;
use runner::run::{check, page};
use runner::store::load_run;
use std::path::Path;

/// The report page of the run in `dir` and the verdict of its checkers. Links to the run's files
/// are relative when the page is written in the run's directory (`page_dir`), else absolute.
pub fn render_run(dir: &Path, page_dir: Option<&Path>) -> anyhow::Result<(String, Verdict)> {
    let run = load_run(dir)?;
    let checked = check(&run.meta.config, &run.history);
    let page_dir = match page_dir {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Ok((page::render(&run, &checked, page_dir), checked.verdict()))
}
