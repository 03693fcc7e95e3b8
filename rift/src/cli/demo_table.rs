//! The demo's table: one row per strategy x fault.

use super::campaign::{expect_word, verdict_word};
use runner::campaign::CaseResult;
use runner::store::RunStats;
use std::fmt::Write;

/// `x` scaled, with one decimal; "-" when absent.
fn num(x: Option<f64>, scale: f64) -> String {
    x.map_or("-".into(), |v| format!("{:.1}", v * scale))
}

/// The table: strategy, faults, the verdict the system promises there, the verdict found,
/// availability under faults (%), p50 and p99 latency of ok calls (ms), and the anomalies found
/// by category ("none"; the reason of an unknown verdict; the error of a run that could not be
/// carried out); then how many rows did as promised.
pub fn table(results: &[(CaseResult, Option<RunStats>)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<14} {:<10} {:<8} {:<8} {:>7} {:>8} {:>8}  anomalies",
        "strategy", "faults", "expect", "verdict", "avail%", "p50 ms", "p99 ms"
    );
    for (r, stats) in results {
        let (expect, verdict, anomalies) = (expect_word(r), verdict_word(r), &r.anomalies);
        let (avail, p50, p99) = match stats {
            Some(s) => (
                num(s.availability_under_faults, 100.0),
                num(s.p50_ms, 1.0),
                num(s.p99_ms, 1.0),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let _ = writeln!(
            out,
            "{:<14} {:<10} {expect:<8} {verdict:<8} {avail:>7} {p50:>8} {p99:>8}  {anomalies}",
            r.case.strategy, r.case.nemesis
        );
    }
    let kept = results.iter().filter(|(r, _)| r.as_expected()).count();
    let _ = writeln!(out, "{kept} of {} rows as expected", results.len());
    out
}
