//! What the checkers' typed evidence gives the page: the ops each explanation names (to highlight
//! and link), the failing keys of a linearizability check (for the Porcupine-style view), and the
//! transactional anomalies (for the cycle graphs).

use checker::linear::{CallView, Explanation, KeyFailure};
use checker::txn::{Anomaly, TxnRef};
use checker::{Evidence, Judgement};

/// How many calls at the end of the longest partial linearisation count as named by its
/// explanation (the explanation in words shows as many).
const NAMED_OF_LONGEST: usize = 8;

/// Every judgement, the parts of a composition in place of it.
pub(crate) fn flatten(judgements: &[Judgement]) -> Vec<&Judgement> {
    let mut out = Vec::new();
    for j in judgements {
        match &j.evidence {
            Evidence::Composed(parts) => out.extend(flatten(parts)),
            _ => out.push(j),
        }
    }
    out
}

/// The invalid keys of linearizability judgements.
pub(crate) fn key_failures<'a>(judgements: &[&'a Judgement]) -> Vec<&'a KeyFailure> {
    judgements
        .iter()
        .filter_map(|j| match &j.evidence {
            Evidence::Linear(r) => Some(r.invalid.iter()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The anomalies of transactional judgements.
pub(crate) fn anomalies<'a>(judgements: &[&'a Judgement]) -> Vec<&'a Anomaly> {
    judgements
        .iter()
        .filter_map(|j| match &j.evidence {
            Evidence::Txn(r) => Some(r.anomalies.iter()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The op indices (invocations) of the calls an explanation names.
pub(crate) fn named_ops(judgement: &Judgement) -> Vec<u64> {
    let mut ops = Vec::new();
    for f in key_failures(&[judgement]) {
        ops.extend(linear_named(&f.explanation).iter().map(|c| c.invoke_index));
    }
    for a in anomalies(&[judgement]) {
        ops.extend(a.txns().iter().map(|t: &&TxnRef| t.index));
    }
    ops
}

fn linear_named(e: &Explanation) -> Vec<&CallView> {
    match e {
        Explanation::Unplaceable { call, longest, .. } => {
            let skip = longest.len().saturating_sub(NAMED_OF_LONGEST);
            std::iter::once(call).chain(&longest[skip..]).collect()
        }
        Explanation::NeverWritten { call, .. } => vec![call],
        Explanation::TwoCasFrom { first, second, .. } => vec![first, second],
        Explanation::Cycle { steps } => steps.iter().map(|s| &s.call).collect(),
        Explanation::OverlappingSpans { outer, inner, .. } => [outer, inner]
            .into_iter()
            .flat_map(|s| s.completes.iter().chain(std::iter::once(&s.invoked)))
            .collect(),
    }
}
