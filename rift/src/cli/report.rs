//! `rift report RUN_DIR`: regenerate a stored run's report.html from its files: the run is
//! re-checked with its workload's checkers, as `rift run` and `rift check RUN_DIR` check it.

pub(crate) mod stored;

use std::path::PathBuf;

/// Write the HTML report of a stored run (exit 0 valid, 1 invalid, 2 unknown, 3 bad input).
///
/// The page is one self-contained file: open it from disk in any browser.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run's directory, or a test's `latest` link.
    pub dir: PathBuf,
    /// Where to write the page; default RUN_DIR/report.html.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `rift report`.
pub fn run(args: Args) -> anyhow::Result<i32> {
    let out = args.out.unwrap_or_else(|| args.dir.join("report.html"));
    let (html, verdict) = stored::render_run(&args.dir, out.parent())?;
    std::fs::write(&out, html)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    println!("{}: {verdict}", out.display());
    Ok(verdict.exit_code())
}
