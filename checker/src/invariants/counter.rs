//! A counter's bounds: every read lies between the increments certainly applied before it and
//! those possibly applied by then (Jepsen's counter checker); in particular the final value lies
//! between the acknowledged increments and the acknowledged plus the indeterminate ones.
//!
//! An increment is *certainly applied* before a read when it completed ok before the read was
//! invoked, and *possibly applied* when it (ok or info) was invoked before the read completed.
//! Negative increments swap their part in the bounds. Failed increments count for nothing.

use super::{CallRef, Prefix};
use crate::{CheckError, Verdict};
use histories::{Call, History, Outcome};
use serde::Serialize;
use std::fmt;

/// A read outside its bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CounterViolation {
    /// The read.
    pub read: CallRef,
    /// What it returned.
    pub value: i64,
    /// The least total possible then.
    pub lower: i64,
    /// The greatest total possible then.
    pub upper: i64,
}

impl fmt::Display for CounterViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} read {}, outside [{}, {}]: the increments certainly and possibly applied by then",
            self.read, self.value, self.lower, self.upper
        )
    }
}

/// The counter's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CounterReport {
    /// Invalid when a read is out of bounds; Unknown when there is no read.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Sum of acknowledged (ok) increments.
    pub acknowledged: i64,
    /// Sum of indeterminate (info) increments.
    pub indeterminate: i64,
    /// The final reads' values (marked final, or invoked after the last nemesis op).
    pub finals: Vec<i64>,
    /// Reads checked.
    pub reads: usize,
    /// Reads out of bounds.
    pub violations: Vec<CounterViolation>,
}

impl fmt::Display for CounterReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} reads; acknowledged {}, indeterminate {}, final reads {:?}",
            self.verdict, self.reads, self.acknowledged, self.indeterminate, self.finals
        )?;
        for v in &self.violations {
            writeln!(f, "  {v}")?;
        }
        Ok(())
    }
}

fn increment(c: &Call) -> Result<i64, CheckError> {
    match &c.argument {
        serde_json::Value::Null => Ok(1),
        v => v.as_i64().ok_or_else(|| {
            CheckError::bad_call(c, format!("a counter add takes an integer, found {v}"))
        }),
    }
}

/// Checks every read of the counter against its bounds.
pub fn check(history: &History) -> Result<CounterReport, CheckError> {
    let calls = history.calls()?;
    let final_phase = super::FinalPhase::of(history);
    let mut adds = Vec::new();
    for c in calls
        .iter()
        .filter(|c| c.f == "add" && c.outcome != Outcome::Fail)
    {
        adds.push((c, increment(c)?));
    }
    let definite = |f: fn(i64) -> i64| {
        Prefix::new(
            adds.iter()
                .filter(|(c, _)| c.outcome == Outcome::Ok)
                .map(|(c, d)| (c.complete_time.unwrap_or(u64::MAX), f(*d)))
                .collect(),
        )
    };
    let possible =
        |f: fn(i64) -> i64| Prefix::new(adds.iter().map(|(c, d)| (c.invoke_time, f(*d))).collect());
    let (def, def_neg, def_pos) = (
        definite(|d| d),
        definite(|d| d.min(0)),
        definite(|d| d.max(0)),
    );
    let (pos_neg, pos_pos) = (possible(|d| d.min(0)), possible(|d| d.max(0)));
    let mut report = CounterReport {
        verdict: Verdict::Valid,
        acknowledged: adds
            .iter()
            .filter(|(c, _)| c.outcome == Outcome::Ok)
            .map(|(_, d)| d)
            .sum(),
        indeterminate: adds
            .iter()
            .filter(|(c, _)| c.outcome == Outcome::Info)
            .map(|(_, d)| d)
            .sum(),
        finals: Vec::new(),
        reads: 0,
        violations: Vec::new(),
    };
    for r in calls
        .iter()
        .filter(|c| c.f == "read" && c.outcome == Outcome::Ok)
    {
        let Some(value) = r.result.as_i64() else {
            continue;
        };
        report.reads += 1;
        if final_phase.includes(r.invoke_index) {
            report.finals.push(value);
        }
        let (inv, done) = (r.invoke_time, r.complete_time.unwrap_or(u64::MAX));
        let sure = def.before(inv);
        let lower = sure + pos_neg.before(done) - def_neg.before(inv);
        let upper = sure + pos_pos.before(done) - def_pos.before(inv);
        if value < lower || value > upper {
            report.violations.push(CounterViolation {
                read: r.into(),
                value,
                lower,
                upper,
            });
        }
    }
    report.verdict = if !report.violations.is_empty() {
        Verdict::Invalid
    } else if report.reads == 0 {
        Verdict::unknown("the counter was never read")
    } else {
        Verdict::Valid
    };
    Ok(report)
}
