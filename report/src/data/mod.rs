//! The data the page's script draws from, built once in Rust and embedded as one JSON object:
//! the calls as columns, the lanes, the fault bands, the highlighted calls, the plots'
//! aggregates and the failing keys' partial linearisations.

mod calls;
mod columns;
mod plots;

use crate::evidence;
use crate::FaultBand;
use checker::linear::Explanation;
use checker::Judgement;
use histories::{Call, History};
use serde::Serialize;

/// The page's data.
#[derive(Serialize)]
pub(crate) struct PageData {
    /// Nanoseconds per tick: times are whole ticks (1 µs for runs, 1 ns for short histories
    /// whose times are op indices).
    pub tick_ns: u64,
    /// The end of the time axis, in ticks.
    pub end: u64,
    /// The calls.
    pub calls: calls::CallColumns,
    /// Interned keys, values and errors.
    pub strings: Vec<String>,
    /// Operation names.
    pub fs: Vec<String>,
    /// Node names.
    pub nodes: Vec<String>,
    /// One lane per process.
    pub lanes: Vec<calls::Lane>,
    /// The fault bands.
    pub bands: Vec<BandView>,
    /// The witness's calls (positions in invocation order).
    pub witness: Vec<u32>,
    /// The calls the explanations name.
    pub named: Vec<u32>,
    /// The plots' aggregates.
    pub plots: plots::Plots,
    /// The failing keys' partial linearisations.
    pub linear: Vec<LinearView>,
}

/// A fault band as the page draws it.
#[derive(Serialize)]
pub(crate) struct BandView {
    /// Start and end in ns (the end of the axis when it lasted to the end).
    pub start_ns: u64,
    /// See `start_ns`.
    pub end_ns: u64,
    /// Whether it lasted to the end of the history.
    pub open: bool,
    /// The fault's name.
    pub name: &'static str,
    /// Its targets or grudge, in words.
    pub targets: String,
    /// installed, skipped or indeterminate.
    pub outcome: &'static str,
    /// Why it was skipped or is indeterminate.
    pub reason: Option<String>,
}

/// One failing key of a linearizability check, for the Porcupine-style view.
#[derive(Serialize)]
pub(crate) struct LinearView {
    /// The checker.
    pub checker: String,
    /// The key, in words (empty for an unpartitioned history).
    pub key: String,
    /// "the register".
    pub object: String,
    /// The longest partial linearisation: its calls (positions) and each one's action in words.
    pub longest: Vec<u32>,
    /// See `longest`.
    pub actions: Vec<String>,
    /// The call that could not be placed, and its action.
    pub failed: Option<u32>,
    /// See `failed`.
    pub failed_action: String,
    /// The states the object could be in when the call had to take effect.
    pub possible: Vec<String>,
    /// The state after the longest partial linearisation.
    pub after: String,
}

/// Finds the call of an op index: each call's invocation and completion.
pub(crate) struct OpMap(Vec<(u64, u32)>);

impl OpMap {
    pub(crate) fn new(calls: &[Call]) -> OpMap {
        let mut v: Vec<(u64, u32)> = Vec::with_capacity(calls.len() * 2);
        for (i, c) in calls.iter().enumerate() {
            v.push((c.invoke_index, i as u32));
            if let Some(d) = c.complete_index {
                v.push((d, i as u32));
            }
        }
        v.sort_unstable();
        OpMap(v)
    }

    /// The position of the call `op` invoked or completed.
    pub(crate) fn call_of(&self, op: u64) -> Option<u32> {
        self.0
            .binary_search_by_key(&op, |&(o, _)| o)
            .ok()
            .map(|i| self.0[i].1)
    }

    fn calls_of(&self, ops: impl IntoIterator<Item = u64>) -> Vec<u32> {
        let mut v: Vec<u32> = ops.into_iter().filter_map(|o| self.call_of(o)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// The end of the time axis: the last op or fault, in ns.
pub(crate) fn end_ns(history: &History, bands: &[FaultBand]) -> u64 {
    let ops = history.ops.iter().map(|o| o.time).max().unwrap_or(0);
    let faults = bands
        .iter()
        .map(|b| b.end.unwrap_or(b.start))
        .max()
        .unwrap_or(0);
    ops.max(faults).max(1)
}

/// Builds the page's data.
pub(crate) fn build(
    calls: &[Call],
    end_ns: u64,
    judgements: &[&Judgement],
    witness_ops: &[u64],
    bands: &[FaultBand],
    ops: &OpMap,
) -> PageData {
    let tick_ns = if end_ns >= 100_000_000 { 1000 } else { 1 };
    let mut strings = columns::Strings::default();
    let calls_data = calls::columns(calls, tick_ns, &mut strings);
    let named = ops.calls_of(judgements.iter().flat_map(|j| evidence::named_ops(j)));
    let linear = judgements
        .iter()
        .flat_map(|j| {
            evidence::key_failures(&[*j])
                .into_iter()
                .filter_map(|f| linear_view(j.checker.clone(), f, ops))
        })
        .collect();
    PageData {
        tick_ns,
        end: end_ns.div_ceil(tick_ns),
        calls: calls_data.columns,
        strings: strings.table,
        fs: calls_data.fs,
        nodes: calls_data.nodes,
        lanes: calls_data.lanes,
        bands: bands
            .iter()
            .map(|b| BandView {
                start_ns: b.start,
                end_ns: b.end_or(end_ns),
                open: b.end.is_none(),
                name: b.name(),
                targets: b.targets(),
                outcome: b.outcome_word(),
                reason: b.reason().map(str::to_string),
            })
            .collect(),
        witness: ops.calls_of(witness_ops.iter().copied()),
        named,
        plots: plots::plots(calls, end_ns, tick_ns),
        linear,
    }
}

fn linear_view(
    checker: String,
    failure: &checker::linear::KeyFailure,
    ops: &OpMap,
) -> Option<LinearView> {
    let Explanation::Unplaceable {
        call,
        object,
        possible_states,
        longest,
        state_after_longest,
    } = &failure.explanation
    else {
        return None;
    };
    let (longest, actions): (Vec<u32>, Vec<String>) = longest
        .iter()
        .filter_map(|c| Some((ops.call_of(c.invoke_index)?, c.action.clone())))
        .unzip();
    Some(LinearView {
        checker,
        key: if failure.key.is_null() {
            String::new()
        } else {
            failure.key.to_string()
        },
        object: object.clone(),
        longest,
        actions,
        failed: ops.call_of(call.invoke_index),
        failed_action: call.action.clone(),
        possible: possible_states.clone(),
        after: state_after_longest.clone(),
    })
}
