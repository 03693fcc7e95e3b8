//! The demo's table: one row per strategy x fault.

use checker::Verdict;
use runner::campaign::CaseResult;
use runner::store::RunStats;
use std::fmt::Write;

/// `x` scaled, with one decimal; "-" when absent.
fn num(x: Option<f64>, scale: f64) -> String {
    x.map_or("-".into(), |v| format!("{:.1}", v * scale))
}

/// The table: strategy, faults, verdict, availability under faults (%), p50 and p99 latency of
/// ok calls (ms), and the anomalies found ("none"; the reason of an unknown verdict; the error of
/// a run that could not be carried out).
pub fn table(results: &[(CaseResult, Option<RunStats>)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<14} {:<10} {:<8} {:>7} {:>8} {:>8}  anomalies",
        "strategy", "faults", "verdict", "avail%", "p50 ms", "p99 ms"
    );
    for (r, stats) in results {
        let (verdict, anomalies) = match &r.verdict {
            Ok(Verdict::Valid) => ("valid", "none".to_string()),
            Ok(Verdict::Invalid) => ("invalid", r.anomalies.clone()),
            Ok(Verdict::Unknown { reason }) => ("unknown", reason.clone()),
            Err(e) => ("error", e.clone()),
        };
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
            "{:<14} {:<10} {verdict:<8} {avail:>7} {p50:>8} {p99:>8}  {anomalies}",
            r.case.strategy, r.case.nemesis
        );
    }
    out
}
