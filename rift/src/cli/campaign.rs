//! `rift campaign FILE.toml`: every case of a campaign, a summary table, JUnit XML; exit 1 when a
//! verdict differs from its expectation.

use checker::Verdict;
use report::render_campaign;
use runner::campaign::{campaign_page, junit_xml, Campaign, CaseResult};
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
            Ok(o) => (
                Ok(o.results.verdict.clone()),
                o.checked.anomalies(),
                Some(o.context.dir.path.clone()),
                Some(o.results.stats),
            ),
            Err(e) => (Err(format!("{e}")), format!("{e}"), None, None),
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

/// A verdict in one word ("error" for a case that could not be carried out).
pub fn verdict_word(r: &CaseResult) -> &'static str {
    match &r.verdict {
        Ok(Verdict::Valid) => "valid",
        Ok(Verdict::Invalid) => "invalid",
        Ok(Verdict::Unknown { .. }) => "unknown",
        Err(_) => "error",
    }
}

/// What a case was expected to do, in one word.
pub fn expect_word(r: &CaseResult) -> String {
    format!("{:?}", r.case.expect).to_lowercase()
}

/// Runs `rift campaign`: the table on stdout, JUnit XML where `--junit` says, and index.html (the
/// campaign's page) beside it, or in the store's root without `--junit`.
pub fn run(args: Args, registry: &Registry) -> anyhow::Result<i32> {
    let mut campaign = Campaign::load(&args.file, registry)?;
    if let Some(s) = args.store {
        campaign.base.store = s;
    }
    let results = run_cases(&campaign, registry);
    println!(
        "{:<40} {:<8} {:<8} {:<4} anomalies",
        "case", "expect", "verdict", "ok?"
    );
    for (r, _) in &results {
        println!(
            "{:<40} {:<8} {:<8} {:<4} {}",
            r.case.name,
            expect_word(r),
            verdict_word(r),
            if r.as_expected() { "yes" } else { "NO" },
            r.anomalies
        );
    }
    let only: Vec<CaseResult> = results.iter().map(|(r, _)| r.clone()).collect();
    let index = match &args.junit {
        Some(path) => {
            std::fs::write(path, junit_xml(&campaign.name, &only))
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            path.with_file_name("index.html")
        }
        None => campaign.base.store.join(format!("{}.html", campaign.name)),
    };
    let page = render_campaign(&campaign_page(&campaign.name, &only, &index));
    std::fs::write(&index, page)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", index.display()))?;
    let differ = only.iter().filter(|r| !r.as_expected()).count();
    println!("{} cases, {differ} not as expected", only.len());
    println!("runs stored under {}", campaign.base.store.display());
    println!("campaign page: {}", index.display());
    Ok(if differ == 0 { 0 } else { 1 })
}
