//! A finished run in words: each checker's verdict with its explanation, the shrunk witness, the
//! counts, and the command that reproduces it.

use super::{reproduce_command, RunOutcome};
use histories::{History, Process};
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

/// The report `rift run` prints at the end.
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
    let faults = o.plan.steps.len();
    let _ = writeln!(out, "faults planned: {faults}");
    for check in &r.checks {
        let _ = writeln!(out, "\n{}: {}", check.checker, check.verdict);
        for line in check.explanation.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(w) = &o.witness {
        let _ = writeln!(
            out,
            "\nshrunk witness ({} ops, still invalid; removing any call makes it valid):",
            w.ops.len()
        );
        out.push_str(&ops_in_words(w));
    }
    let _ = writeln!(out, "\nverdict: {}", r.verdict);
    let _ = writeln!(out, "stored in {}", o.context.dir.path.display());
    let _ = writeln!(
        out,
        "reproduce: {}   (seed {}; real processes are not deterministic: a rerun replays the same ops and faults, not the same interleaving)",
        reproduce_command(&o.context.dir),
        o.context.seed
    );
    out
}
