//! A set's elements, as Jepsen's set-full: each added element is classified by what the reads
//! that could see it saw, with the time it took to become visible.
//!
//! For an element added by a call A (ok or indeterminate; failed adds are ignored), the reads
//! that *can tell* are the ok reads invoked after A was invoked; the *final* reads are each
//! node's last read (the last read overall when reads carry no node). The element is:
//! - **duplicated** when some read holds it more than once;
//! - **never read** when no read can tell;
//! - **lost** when it was acknowledged (or seen by some read) and a final read that began after
//!   that (after A completed, or after the sighting completed) does not hold it;
//! - **stale** when not lost, but some read invoked after A completed missed it before it
//!   appeared for good (allowed by eventual consistency; not by linearizability);
//! - **stable** otherwise.
//!
//! Its *visibility latency* runs from A's completion to the invocation of the first read from
//! which every later-invoked read held it (an upper bound, at the resolution of the reads).
//! The verdict is Invalid when an element is lost or duplicated (or stale, when
//! [`SetOptions::linearizable`]); Unknown when the set was never read.

use super::CallRef;
use crate::{CheckError, Verdict};
use histories::{Call, History, Outcome};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// How strict to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetOptions {
    /// Count stale elements as violations (a linearizable set shows an acknowledged element to
    /// every read invoked after the add completed).
    pub linearizable: bool,
}

/// What became of an added element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElementOutcome {
    /// Present in every read that could tell, once visible.
    Stable,
    /// Acknowledged or seen, then absent from a final read.
    Lost,
    /// Missed by reads after its add completed, present in the end.
    Stale,
    /// No read could tell.
    NeverRead,
    /// Some read held it twice.
    Duplicated,
}

/// One element's story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementReport {
    /// The set's key (`null` when unkeyed).
    pub key: Value,
    /// The element.
    pub element: Value,
    /// What became of it.
    pub outcome: ElementOutcome,
    /// The add.
    pub add: CallRef,
    /// Time its add completed, when it did (ns).
    pub acknowledged: Option<u64>,
    /// Completion time of the first read that held it.
    pub first_seen: Option<u64>,
    /// Completion time of the last read that could tell and did not hold it.
    pub last_absent: Option<u64>,
    /// Time from acknowledgement until every read held it (ns), when that happened.
    pub latency: Option<u64>,
    /// The read that shows the problem (the final read without it, the read with it twice).
    pub witness: Option<CallRef>,
}

/// The set's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetReport {
    /// Invalid when an element is lost or duplicated (or stale, if asked); Unknown when nothing
    /// was read.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// How many elements had each outcome.
    pub counts: BTreeMap<ElementOutcome, usize>,
    /// Every element that is not stable, and the stable ones too (all added elements).
    pub elements: Vec<ElementReport>,
}

impl SetReport {
    /// Elements with this outcome.
    pub fn with(&self, outcome: ElementOutcome) -> impl Iterator<Item = &ElementReport> {
        self.elements.iter().filter(move |e| e.outcome == outcome)
    }

    /// The largest visibility latency of any element.
    pub fn max_latency(&self) -> Option<u64> {
        self.elements.iter().filter_map(|e| e.latency).max()
    }
}

impl fmt::Display for SetReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(k, n)| format!("{k:?} {n}"))
            .collect();
        writeln!(f, "{}: {}", self.verdict, counts.join(", "))?;
        if let Some(l) = self.max_latency() {
            writeln!(f, "  slowest element visible after {:.3} s", l as f64 / 1e9)?;
        }
        for e in self.elements.iter().filter(|e| {
            matches!(
                e.outcome,
                ElementOutcome::Lost | ElementOutcome::Duplicated | ElementOutcome::Stale
            )
        }) {
            write!(
                f,
                "  {:?} element {} of {}: added by {}",
                e.outcome, e.element, e.key, e.add
            )?;
            if let Some(w) = &e.witness {
                write!(f, "; see {w}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// A read, with its elements counted.
struct Read<'c> {
    call: &'c Call,
    counts: HashMap<String, usize>,
}

/// Classifies every added element.
pub fn check(history: &History, opts: &SetOptions) -> Result<SetReport, CheckError> {
    let calls = history.calls()?;
    let mut reads: HashMap<String, Vec<Read>> = HashMap::new();
    for c in calls
        .iter()
        .filter(|c| c.f == "read" && c.outcome == Outcome::Ok)
    {
        let xs = c.result.as_array().ok_or_else(|| {
            CheckError::bad_call(c, format!("a set read returns a list, found {}", c.result))
        })?;
        let mut counts = HashMap::new();
        for x in xs {
            *counts.entry(x.to_string()).or_insert(0) += 1;
        }
        let key = c.key.clone().unwrap_or(Value::Null).to_string();
        reads.entry(key).or_default().push(Read { call: c, counts });
    }
    for rs in reads.values_mut() {
        rs.sort_by_key(|r| r.call.invoke_time);
    }
    let total_reads: usize = reads.values().map(Vec::len).sum();
    let mut report = SetReport {
        verdict: Verdict::Valid,
        counts: BTreeMap::new(),
        elements: Vec::new(),
    };
    for a in calls
        .iter()
        .filter(|c| c.f == "add" && c.outcome != Outcome::Fail)
    {
        let key = a.key.clone().unwrap_or(Value::Null);
        let rs = reads.get(&key.to_string()).map_or(&[][..], Vec::as_slice);
        let e = classify(a, key, rs);
        *report.counts.entry(e.outcome).or_insert(0) += 1;
        report.elements.push(e);
    }
    let bad = |o: ElementOutcome| report.counts.get(&o).copied().unwrap_or(0) > 0;
    report.verdict = if bad(ElementOutcome::Lost)
        || bad(ElementOutcome::Duplicated)
        || (opts.linearizable && bad(ElementOutcome::Stale))
    {
        Verdict::Invalid
    } else if total_reads == 0 {
        Verdict::unknown("the set was never read")
    } else {
        Verdict::Valid
    };
    Ok(report)
}

fn classify(a: &Call, key: Value, reads: &[Read]) -> ElementReport {
    let element = a.argument.clone();
    let text = element.to_string();
    let ack = (a.outcome == Outcome::Ok)
        .then_some(a.complete_time)
        .flatten();
    let telling: Vec<&Read> = reads
        .iter()
        .filter(|r| r.call.invoke_time > a.invoke_time)
        .collect();
    let has = |r: &Read| r.counts.get(&text).copied().unwrap_or(0) > 0;
    let done = |r: &Read| r.call.complete_time.unwrap_or(u64::MAX);
    let first_seen = telling.iter().filter(|r| has(r)).map(|r| done(r)).min();
    let last_absent = telling.iter().filter(|r| !has(r)).map(|r| done(r)).max();
    // Final reads: each node's last (by completion), or the last overall without nodes.
    let mut finals: HashMap<Option<&String>, &Read> = HashMap::new();
    for r in reads {
        let slot = finals.entry(r.call.node.as_ref()).or_insert(r);
        if done(r) > done(slot) {
            *slot = r;
        }
    }
    // A final read must hold it when it began after the add was acknowledged or seen.
    let known_since = match (ack, first_seen) {
        (Some(t), Some(s)) => Some(t.min(s)),
        (t, s) => t.or(s),
    };
    let lost_in = known_since.and_then(|since| {
        finals
            .values()
            .find(|r| r.call.invoke_time > since && !has(r))
            .copied()
    });
    let duplicate = telling
        .iter()
        .find(|r| r.counts.get(&text).copied().unwrap_or(0) > 1);
    let after_ack: Vec<&&Read> = telling
        .iter()
        .filter(|r| ack.is_some_and(|t| r.call.invoke_time > t))
        .collect();
    let stale = after_ack.iter().any(|r| !has(r));
    // The first read of the suffix (by invocation) that all hold it.
    let visible_from = telling
        .iter()
        .rposition(|r| !has(r))
        .map_or(telling.first(), |i| telling.get(i + 1))
        .filter(|r| has(r))
        .map(|r| r.call.invoke_time);
    let (outcome, witness) = if let Some(r) = duplicate {
        (ElementOutcome::Duplicated, Some(r.call))
    } else if telling.is_empty() {
        (ElementOutcome::NeverRead, None)
    } else if let Some(r) = lost_in {
        (ElementOutcome::Lost, Some(r.call))
    } else if stale {
        (
            ElementOutcome::Stale,
            after_ack.iter().find(|r| !has(r)).map(|r| r.call),
        )
    } else {
        (ElementOutcome::Stable, None)
    };
    ElementReport {
        key,
        element,
        outcome,
        add: a.into(),
        acknowledged: ack,
        first_seen,
        last_absent,
        latency: match (ack, visible_from, outcome) {
            (Some(t), Some(v), ElementOutcome::Stable | ElementOutcome::Stale) => {
                Some(v.saturating_sub(t))
            }
            _ => None,
        },
        witness: witness.map(CallRef::from),
    }
}
