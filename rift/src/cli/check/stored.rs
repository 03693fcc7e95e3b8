//! `rift check RUN_DIR`: re-check a stored run offline with the checkers its workload gets,
//! as `rift run` chose them.

use checker::Verdict;
use runner::store::load_run;
use std::fmt::Write;
use std::path::Path;

/// True when `dir` holds a stored run (its run.json and history.jsonl).
pub fn is_run_dir(dir: &Path) -> bool {
    dir.join("run.json").is_file() && dir.join("history.jsonl").is_file()
}

/// Re-checks the run in `dir`; returns the checkers' verdicts merged and what to print.
pub fn check_run(dir: &Path, json: bool) -> anyhow::Result<(Verdict, String)> {
    let run = load_run(dir)?;
    let checked = runner::run::check(&run.meta.config, &run.history);
    let results = checked.results();
    let verdict = checked.verdict();
    let recorded = run.results.as_ref().map(|r| &r.verdict);
    let mut out = String::new();
    if json {
        let report = serde_json::json!({
            "run": dir,
            "verdict": verdict,
            "checks": results,
            "recorded_verdict": recorded,
            "cut_short_line": run.history.provenance.cut_short,
        });
        writeln!(out, "{report}")?;
        return Ok((verdict, out));
    }
    out += &super::cut_short_note(&dir.join("history.jsonl"), run.history.provenance.cut_short);
    writeln!(
        out,
        "{}: stored run (seed {}, {} ops): {verdict}",
        dir.display(),
        run.meta.seed,
        run.history.ops.len()
    )?;
    for check in &results {
        writeln!(out, "  {}: {}", check.checker, check.verdict)?;
        for line in check.explanation.lines() {
            writeln!(out, "    {line}")?;
        }
    }
    match recorded {
        Some(r) if *r == verdict => writeln!(out, "  as recorded in results.json")?,
        Some(r) => writeln!(
            out,
            "  results.json recorded {r}; this check says {verdict}"
        )?,
        None => writeln!(
            out,
            "  no results.json (the run did not get as far as checking)"
        )?,
    }
    Ok((verdict, out))
}
