//! `rift campaign FILE.toml`: every case of a campaign, a summary table, JUnit XML; exit 1 when a
//! verdict differs from its expectation.

use runner::campaign::{junit_xml, Campaign, CaseResult};
use runner::run::{run as carry_out, RunOptions};
use runner::store::RunStats;
use runner::system::Registry;
use std::path::PathBuf;
use std::time::Instant;

/// `rift campaign` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The campaign file (TOML).
    pub file: PathBuf,
    /// Write JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// The run store's root (overrides the campaign's base).
    #[arg(long)]
    pub store: Option<PathBuf>,
}

/// Runs every case, printing one line per case as it ends; returns the results and each run's
/// stats.
pub fn run_cases(campaign: &Campaign, registry: &Registry) -> Vec<(CaseResult, Option<RunStats>)> {
    let cases = campaign.cases();
    let total = cases.len();
    let mut out = Vec::new();
    for (i, case) in cases.into_iter().enumerate() {
        let began = Instant::now();
        let r = carry_out(case.config.clone(), registry, &RunOptions::default());
        let (verdict, anomalies, dir, stats) = match r {
            Ok(o) => {
                let anomalies = o
                    .results
                    .checks
                    .iter()
                    .filter(|c| c.verdict == checker::Verdict::Invalid)
                    .map(|c| {
                        let first = c.explanation.lines().next().unwrap_or("");
                        format!(
                            "{}: {}",
                            c.checker,
                            first.chars().take(100).collect::<String>()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                (
                    Ok(o.results.verdict.clone()),
                    anomalies,
                    Some(o.context.dir.path.clone()),
                    Some(o.results.stats),
                )
            }
            Err(e) => (Err(format!("{e}")), String::new(), None, None),
        };
        let result = CaseResult {
            case,
            verdict,
            anomalies,
            duration: began.elapsed(),
            dir,
        };
        eprintln!(
            "[{}/{total}] {}: {} ({})",
            i + 1,
            result.case.name,
            result
                .verdict
                .as_ref()
                .map_or_else(|e| format!("error: {e}"), |v| v.to_string()),
            if result.as_expected() {
                "as expected"
            } else {
                "NOT as expected"
            }
        );
        out.push((result, stats));
    }
    out
}

/// Runs `rift campaign`.
pub fn run(args: Args, registry: &Registry) -> anyhow::Result<i32> {
    let mut campaign = Campaign::load(&args.file, registry)?;
    if let Some(s) = args.store {
        campaign.base.store = s;
    }
    let results = run_cases(&campaign, registry);
    println!(
        "{:<40} {:<8} {:<10} {:<9} anomalies",
        "case", "expect", "verdict", "ok?"
    );
    for (r, _) in &results {
        let got = r
            .verdict
            .as_ref()
            .map_or_else(|_| "error".to_string(), |v| v.to_string());
        println!(
            "{:<40} {:<8} {:<10} {:<9} {}",
            r.case.name,
            format!("{:?}", r.case.expect).to_lowercase(),
            got.split(' ').next().unwrap_or(""),
            if r.as_expected() { "yes" } else { "NO" },
            r.anomalies
        );
    }
    let only: Vec<CaseResult> = results.iter().map(|(r, _)| r.clone()).collect();
    if let Some(path) = &args.junit {
        std::fs::write(path, junit_xml(&campaign.name, &only))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    let differ = only.iter().filter(|r| !r.as_expected()).count();
    println!("{} cases, {differ} not as expected", only.len());
    Ok(if differ == 0 { 0 } else { 1 })
}
