//! A run's counts and timings, computed from its history (so stored runs get them too).

use crate::store::RunStats;
use histories::{History, Outcome, Process};

/// Time windows in which a fault was in force: from each installed fault-starting nemesis op to
/// the next op that ends it (or the end of the history).
fn fault_windows(history: &History) -> Vec<(u64, u64)> {
    let mut windows = Vec::new();
    let mut open: Option<u64> = None;
    let end = history.ops.last().map_or(0, |o| o.time);
    for op in history.ops.iter().filter(|o| o.process == Process::Nemesis) {
        let installed = op.extra.get("outcome").and_then(|v| v.as_str()) == Some("installed");
        let starts = !matches!(op.f.as_str(), "heal" | "resume" | "restart" | "clock-reset");
        if starts && installed && open.is_none() {
            open = Some(op.time);
        } else if !starts {
            if let Some(s) = open.take() {
                windows.push((s, op.time));
            }
        }
    }
    if let Some(s) = open {
        windows.push((s, end));
    }
    windows
}

fn percentile(sorted: &[u64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    Some(sorted[i] as f64 / 1e6)
}

/// Counts by outcome, throughput, availability while faults were in force, and p50/p99 latency
/// of ok calls.
pub fn stats(history: &History) -> RunStats {
    let Ok(calls) = history.calls() else {
        return RunStats::default();
    };
    let windows = fault_windows(history);
    let in_fault = |t: u64| windows.iter().any(|&(a, b)| a <= t && t <= b);
    let mut s = RunStats::default();
    let (mut faulted, mut faulted_ok) = (0u64, 0u64);
    let mut latencies = Vec::new();
    for c in &calls {
        match c.outcome {
            Outcome::Ok => s.ok += 1,
            Outcome::Fail => s.fail += 1,
            Outcome::Info => s.info += 1,
        }
        if in_fault(c.invoke_time) {
            faulted += 1;
            faulted_ok += (c.outcome == Outcome::Ok) as u64;
        }
        if let (Outcome::Ok, Some(end)) = (c.outcome, c.complete_time) {
            latencies.push(end.saturating_sub(c.invoke_time));
        }
    }
    latencies.sort_unstable();
    let first = history.ops.first().map_or(0, |o| o.time);
    let last = history.ops.last().map_or(0, |o| o.time);
    s.duration_s = (last - first) as f64 / 1e9;
    if s.duration_s > 0.0 {
        s.ops_per_s = calls.len() as f64 / s.duration_s;
    }
    s.availability_under_faults = (faulted > 0).then(|| faulted_ok as f64 / faulted as f64);
    s.p50_ms = percentile(&latencies, 0.5);
    s.p99_ms = percentile(&latencies, 0.99);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use histories::{Op, OpType};
    use serde_json::{json, Map};

    fn op(i: u64, p: Process, kind: OpType, f: &str) -> Op {
        Op::new(i, i * 1_000_000, p, kind, f, json!(null))
    }

    fn nemesis(i: u64, f: &str, outcome: &str) -> Op {
        let mut o = op(i, Process::Nemesis, OpType::Info, f);
        let mut extra = Map::new();
        extra.insert("outcome".into(), json!(outcome));
        o.extra = extra;
        o
    }

    #[test]
    fn availability_counts_only_calls_invoked_while_a_fault_was_installed() {
        let c = Process::Client;
        let h = History::from_ops(vec![
            op(0, c(0), OpType::Invoke, "read"),
            op(1, c(0), OpType::Ok, "read"),
            nemesis(2, "pause", "installed"),
            op(3, c(0), OpType::Invoke, "read"),
            op(4, c(0), OpType::Info, "read"),
            op(5, c(1), OpType::Invoke, "read"),
            op(6, c(1), OpType::Ok, "read"),
            nemesis(7, "resume", "installed"),
            op(8, c(1), OpType::Invoke, "read"),
            op(9, c(1), OpType::Fail, "read"),
        ]);
        let s = stats(&h);
        assert_eq!((s.ok, s.fail, s.info), (2, 1, 1));
        assert_eq!(s.availability_under_faults, Some(0.5));
        assert_eq!(s.p50_ms, Some(1.0));
    }

    #[test]
    fn a_skipped_fault_opens_no_window() {
        let c = Process::Client;
        let h = History::from_ops(vec![
            nemesis(0, "pause", "skipped"),
            op(1, c(0), OpType::Invoke, "read"),
            op(2, c(0), OpType::Ok, "read"),
        ]);
        assert_eq!(stats(&h).availability_under_faults, None);
    }
}
