//! Linearizability: does some order of the calls, consistent with real time, obey the model?
//!
//! Data flow: a [`History`] is paired into calls; the model turns them into actions and splits
//! them into independent partitions by key ([`problem`]); the partitions are checked in parallel
//! on all cores (rayon's work stealing, because keys vary wildly in size; a single partition on the
//! calling thread), by the dependency-graph [`fast`] path when the model is a register with
//! distinct written values and it can decide, and otherwise by the Wing-Gong-Lowe [`search`]
//! (which walks a `timeline` of events and remembers configurations in a `memo`); per-key
//! answers merge into a
//! [`Report`] (Invalid > Unknown > Valid) with [`explain`]ed failures. [`budget`]s turn into
//! Unknown, never Valid. [`reference`](mod@reference) is a brute-force checker for tests, [`witness`] shrinks an
//! invalid key to a small sub-history that shows the same anomaly.
//!
//! Semantics: real-time order is the order of events in the history (op index). An info call (or
//! one never completed) may take effect at any point after its invocation, or never. Failed ops
//! are dropped under [`FailSemantics::Knossos`]; see [`FailSemantics::Etcd`] for the other
//! convention. A history whose calls all had no effect, or with only nemesis events, is valid (as
//! Knossos judges it); a history with no ops at all is Unknown.

pub mod budget;
pub mod explain;
pub mod fast;
mod memo;
pub mod problem;
pub mod reference;
pub mod report;
pub mod search;
mod timeline;
pub mod witness;

pub use explain::{CallView, Explanation, KeyFailure};
pub use report::{KeyLinearization, KeyUnknown, Report};

use crate::model::{
    append_kv::AppendKv, booking::Booking, mutex::Mutex, set::Set, spec::ModelKind, Datum,
    FailSemantics, Model, ModelSpec,
};
use crate::{CheckError, Verdict};
use budget::{Budget, Exhausted};
use fast::{FastOutcome, FastPath, Witness};
use histories::{Call, History};
use problem::{Entry, Partition};
use rayon::prelude::*;
use search::SearchOutcome;
use std::time::Duration;

/// How to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// The meaning of failed ops.
    pub semantics: FailSemantics,
    /// Give up (Unknown) after this long.
    pub time_limit: Option<Duration>,
    /// Give up (Unknown) before the heap (with [`Options::heap`]) or else the searches' memos
    /// would grow past this many bytes (see [`budget`]).
    pub memory_limit: Option<u64>,
    /// The caller's count of its heap, which the memory limit is then compared with.
    pub heap: Option<budget::HeapGauge>,
    /// Check every key even after one is invalid.
    pub all_keys: bool,
    /// Report a linearisation of each valid key.
    pub explain: bool,
    /// Use the dependency-graph fast path where it applies (on by default; off to test the
    /// search alone).
    pub fast_path: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            semantics: FailSemantics::Knossos,
            time_limit: None,
            memory_limit: None,
            heap: None,
            all_keys: false,
            explain: false,
            fast_path: true,
        }
    }
}

/// Checks a history against a named model.
pub fn check_history(
    history: &History,
    spec: &ModelSpec,
    options: &Options,
) -> Result<Report, CheckError> {
    let calls = history.calls()?;
    let mut report = check_calls(&calls, spec, options)?;
    if history.is_empty() {
        report.verdict = Verdict::unknown("the history is empty: nothing was checked");
    }
    Ok(report)
}

/// Checks paired calls against a named model.
pub fn check_calls(
    calls: &[Call],
    spec: &ModelSpec,
    options: &Options,
) -> Result<Report, CheckError> {
    let sem = options.semantics;
    match spec.kind {
        ModelKind::Register | ModelKind::CasRegister => {
            let model = spec
                .register(sem)
                .expect("a register kind gives a register");
            check(&model, calls, options)
        }
        ModelKind::MultiRegister => check(&spec.multi_register(sem), calls, options),
        ModelKind::Counter => check(&spec.counter(sem)?, calls, options),
        ModelKind::Mutex => check(&Mutex, calls, options),
        ModelKind::AppendKv => check(&AppendKv, calls, options),
        ModelKind::Set => check(&Set, calls, options),
        ModelKind::Booking => check(&Booking, calls, options),
    }
}

/// What one key came to.
enum KeyResult {
    Valid(Option<Vec<CallView>>),
    Invalid(Box<Explanation>),
    Unknown(String),
    Skipped,
}

struct KeyCheck {
    result: KeyResult,
    fast: bool,
    memo_entries: u64,
}

/// Checks paired calls against a model.
pub fn check<M: FastPath>(
    model: &M,
    calls: &[Call],
    options: &Options,
) -> Result<Report, CheckError> {
    let parts = problem::partitions(model, calls, options.semantics)?;
    let budget = Budget::new(
        options.time_limit,
        options.memory_limit,
        options.heap.clone(),
    );
    // Largest keys first, so that no core is left with a big key at the end.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(parts[i].entries.len()));
    let check_one = |&i: &usize| {
        let result = check_partition(model, calls, &parts[i], options, &budget);
        if matches!(result.result, KeyResult::Invalid(_)) && !options.all_keys {
            budget.stop();
        }
        (i, result)
    };
    // One key is checked on this thread: handing it to the pool would only add the wake-up of a
    // worker thread (tens of microseconds, more on a loaded machine) to a check that often takes
    // less.
    let checked: Vec<(usize, KeyCheck)> = if order.len() > 1 {
        order.par_iter().map(check_one).collect()
    } else {
        order.iter().map(check_one).collect()
    };
    let mut results: Vec<Option<KeyCheck>> = (0..parts.len()).map(|_| None).collect();
    for (i, r) in checked {
        results[i] = Some(r);
    }

    let mut report = Report {
        verdict: Verdict::Valid,
        model: model.name().to_string(),
        semantics: options.semantics,
        calls: parts.iter().map(|p| p.entries.len()).sum(),
        keys: parts.len(),
        keys_fast_path: 0,
        keys_searched: 0,
        keys_skipped: 0,
        memo_entries: 0,
        invalid: Vec::new(),
        unknown: Vec::new(),
        linearizations: Vec::new(),
    };
    for (part, r) in parts.iter().zip(results.into_iter().flatten()) {
        let key = part
            .key
            .as_ref()
            .map_or(serde_json::Value::Null, Datum::to_json);
        report.memo_entries += r.memo_entries;
        match r.result {
            KeyResult::Skipped => {
                report.keys_skipped += 1;
                continue;
            }
            _ if r.fast => report.keys_fast_path += 1,
            _ => report.keys_searched += 1,
        }
        match r.result {
            KeyResult::Valid(Some(calls)) => {
                report.linearizations.push(KeyLinearization { key, calls })
            }
            KeyResult::Valid(None) | KeyResult::Skipped => {}
            KeyResult::Invalid(explanation) => {
                report.verdict = Verdict::Invalid;
                report.invalid.push(KeyFailure {
                    key,
                    explanation: *explanation,
                });
            }
            KeyResult::Unknown(reason) => {
                if report.verdict == Verdict::Valid {
                    report.verdict = Verdict::unknown(format!("key {key}: {reason}"));
                }
                report.unknown.push(KeyUnknown { key, reason });
            }
        }
    }
    if report.verdict == Verdict::Invalid {
        report.linearizations.clear();
    }
    Ok(report)
}

fn view<M: Model>(model: &M, calls: &[Call], e: &Entry<M::Action>) -> CallView {
    CallView::new(
        &calls[e.call],
        model.describe_action(&e.action),
        model.is_read(&e.action),
    )
}

fn check_partition<M: FastPath>(
    model: &M,
    calls: &[Call],
    part: &Partition<M::Action>,
    options: &Options,
    budget: &Budget,
) -> KeyCheck {
    if let Err(Exhausted::Stopped) = budget.check() {
        return KeyCheck {
            result: KeyResult::Skipped,
            fast: false,
            memo_entries: 0,
        };
    }
    let entries = &part.entries;
    let linearization = |order: &[usize]| {
        options.explain.then(|| {
            order
                .iter()
                .map(|&i| view(model, calls, &entries[i]))
                .collect()
        })
    };
    let mut subset: Option<Vec<usize>> = None;
    if options.fast_path {
        match model.fast_path(entries) {
            Some(FastOutcome::Linearizable(order)) => {
                return KeyCheck {
                    result: KeyResult::Valid(linearization(&order)),
                    fast: true,
                    memo_entries: 0,
                }
            }
            Some(FastOutcome::NotLinearizable(w)) => {
                let explanation = match w {
                    Witness::NeverWritten(i, v) => Explanation::NeverWritten {
                        call: view(model, calls, &entries[i]),
                        value: v.to_string(),
                    },
                    Witness::TwoCasFrom(a, b, v) => Explanation::TwoCasFrom {
                        first: view(model, calls, &entries[a]),
                        second: view(model, calls, &entries[b]),
                        value: v.to_string(),
                    },
                    Witness::OverlappingSpans {
                        outer,
                        inner,
                        inner_forward,
                    } => {
                        let span = |s: &fast::Span| explain::SpanView {
                            value: s.value.to_string(),
                            completes: s.completes.map(|i| view(model, calls, &entries[i])),
                            invoked: view(model, calls, &entries[s.invoked]),
                        };
                        Explanation::OverlappingSpans {
                            outer: Box::new(span(&outer)),
                            inner: Box::new(span(&inner)),
                            inner_forward,
                        }
                    }
                    Witness::Cycle(steps) => Explanation::Cycle {
                        steps: steps
                            .into_iter()
                            .map(|(i, because)| explain::CycleStep {
                                call: view(model, calls, &entries[i]),
                                because,
                            })
                            .collect(),
                    },
                };
                return KeyCheck {
                    result: KeyResult::Invalid(Box::new(explanation)),
                    fast: true,
                    memo_entries: 0,
                };
            }
            Some(FastOutcome::Undecided(kept)) if kept.len() < entries.len() => subset = Some(kept),
            _ => {}
        }
    }
    let owned: Vec<Entry<M::Action>>;
    let (searched, back): (&[Entry<M::Action>], Vec<usize>) = match subset {
        Some(kept) => {
            owned = kept.iter().map(|&i| entries[i].clone()).collect();
            (&owned, kept)
        }
        None => (entries, (0..entries.len()).collect()),
    };
    let s = search::search(model, searched, budget);
    let result = match s.outcome {
        SearchOutcome::Linearizable(order) => {
            let order: Vec<usize> = order.into_iter().map(|i| back[i]).collect();
            KeyResult::Valid(linearization(&order))
        }
        SearchOutcome::NotLinearizable(f) => {
            let blocked = back[f.blocked.min(searched.len() - 1)];
            KeyResult::Invalid(Box::new(Explanation::Unplaceable {
                call: view(model, calls, &entries[blocked]),
                object: model.object().to_string(),
                possible_states: f
                    .blocked_states
                    .iter()
                    .map(|s| model.describe_state(s))
                    .collect(),
                longest: f
                    .longest
                    .iter()
                    .map(|&i| view(model, calls, &entries[back[i]]))
                    .collect(),
                state_after_longest: model.describe_state(&f.state),
            }))
        }
        SearchOutcome::Exhausted(Exhausted::Stopped) => KeyResult::Skipped,
        SearchOutcome::Exhausted(e) => KeyResult::Unknown(e.reason()),
    };
    KeyCheck {
        result,
        fast: false,
        memo_entries: s.memo_entries,
    }
}
