//! A finished run in words, for the terminal: the counts, the fault timeline, each checker's
//! verdict with the start of its explanation, the shrunk witness, what the verdict rests on, and
//! where the run, its report and the command that reproduces it are.

use super::{reproduce_command, RunOutcome};
use checker::{NoWitness, Verdict};
use histories::{History, Process};
use report::FaultBand;
use std::fmt::Write;

/// One line per op of a small history: "  12.345 s  p3  invoke book room 0 \"g1\" @n1".
pub fn ops_in_words(h: &History) -> String {
    let mut out = String::new();
    for op in &h.ops {
        let who = match op.process {
            Process::Client(p) => format!("p{p}"),
            Process::Nemesis => "nemesis".into(),
        };
        let key = op
            .key
            .as_ref()
            .map(|k| format!(" key {k}"))
            .unwrap_or_default();
        let node = op
            .node
            .as_ref()
            .map(|n| format!(" @{n}"))
            .unwrap_or_default();
        let err = op
            .error
            .as_ref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:>9.3} s  {who:<5} {:<6} {}{key} {}{node}{err}",
            op.time as f64 / 1e9,
            op.kind,
            op.f,
            op.value
        );
    }
    out
}

/// How many lines of an invalid checker's explanation the terminal shows; the rest are counted
/// and left to the report page.
const SHOWN_LINES: usize = 6;

/// The report `rift run` prints at the end: counts, the fault timeline, each checker's verdict
/// with the start of its explanation, the witness, what the verdict rests on, and where the run
/// and its report are.
pub fn render(o: &RunOutcome) -> String {
    let mut out = String::new();
    let r = &o.results;
    let s = &r.stats;
    let _ = writeln!(
        out,
        "{} calls: {} ok, {} fail, {} info in {:.1} s ({:.0} ops/s)",
        s.ok + s.fail + s.info,
        s.ok,
        s.fail,
        s.info,
        s.duration_s,
        s.ops_per_s
    );
    if let Some(a) = s.availability_under_faults {
        let _ = writeln!(
            out,
            "availability while faults were in force: {:.1}%",
            a * 100.0
        );
    }
    if let (Some(p50), Some(p99)) = (s.p50_ms, s.p99_ms) {
        let _ = writeln!(out, "latency of ok calls: p50 {p50:.2} ms, p99 {p99:.2} ms");
    }
    out += &timeline(&o.faults);
    for check in &r.checks {
        let _ = writeln!(out, "\n{}: {}", check.checker, check.verdict);
        let lines: Vec<&str> = check.explanation.lines().collect();
        let shown = if check.verdict == Verdict::Invalid {
            SHOWN_LINES
        } else {
            2
        };
        for line in lines.iter().take(shown) {
            let _ = writeln!(out, "  {line}");
        }
        if lines.len() > shown {
            let _ = writeln!(
                out,
                "  ... and {} more lines (all of them in the report)",
                lines.len() - shown
            );
        }
    }
    match &o.checked.witness {
        Ok(w) => {
            // The anomaly's explanation was printed with its checker above: its first line says
            // which one the witness shows.
            let shown = w.to_string();
            let mut lines = shown.lines();
            let where_ = lines.next().unwrap_or_default();
            let what = lines.next().unwrap_or_default();
            let _ = writeln!(out, "\nshrunk {where_}\n{what}");
            out.push_str(&ops_in_words(&w.history));
        }
        Err(NoWitness::NotInvalid) => {}
        Err(why) => {
            let _ = writeln!(out, "\nno shrunk witness: {why}");
        }
    }
    if let Some(c) = &r.coverage {
        for w in &c.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
    }
    let _ = writeln!(out, "\nverdict: {}", r.verdict);
    let _ = writeln!(out, "stored in {}", o.context.dir.path.display());
    let _ = writeln!(out, "report: {}", o.report.display());
    let _ = writeln!(
        out,
        "reproduce: {}   (seed {}; real processes are not deterministic: a rerun replays the same ops and faults, not the same interleaving)",
        reproduce_command(&o.context.dir),
        o.context.seed
    );
    out
}

/// The faults, one line each: "   4.280-5.480 s  partition n2 | n0,n1: installed".
fn timeline(faults: &[FaultBand]) -> String {
    let mut out = String::new();
    if faults.is_empty() {
        let _ = writeln!(out, "faults: none");
        return out;
    }
    let _ = writeln!(out, "faults:");
    for b in faults {
        let end = b
            .end
            .map_or_else(|| "end".to_string(), |e| format!("{:.3}", e as f64 / 1e9));
        let _ = writeln!(
            out,
            "  {:>8.3}-{end:<7} s  {b}: {}",
            b.start as f64 / 1e9,
            b.outcome_word()
        );
    }
    out
}
