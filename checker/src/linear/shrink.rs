//! Shrinking an invalid history to a 1-minimal invalid sub-history, by delta debugging
//! (Zeller & Hildebrandt's ddmin) over whole calls.
//!
//! A sub-history keeps a subset of the calls (each with its invocation and completion) and drops
//! the rest; ops keep their order, so each process's order and the real-time order are those of
//! the original. Nemesis ops are dropped. The result is still invalid, and removing any one of
//! its calls makes it not invalid.

use super::{check_history, Options};
use crate::model::ModelSpec;
use crate::{CheckError, Verdict};
use histories::History;
use std::collections::HashSet;

/// The sub-history of `history` made of these calls (by id), in the original op order.
pub fn sub_history(history: &History, calls: &[histories::Call], keep: &[usize]) -> History {
    let mut indices: HashSet<u64> = HashSet::with_capacity(keep.len() * 2);
    for &c in keep {
        indices.insert(calls[c].invoke_index);
        if let Some(i) = calls[c].complete_index {
            indices.insert(i);
        }
    }
    History {
        header: history.header.clone(),
        ops: history
            .ops
            .iter()
            .filter(|o| indices.contains(&o.index))
            .cloned()
            .collect(),
        ..History::default()
    }
}

/// Reduces `units` while `invalid` holds, to a 1-minimal set (ddmin).
pub fn ddmin(mut units: Vec<usize>, mut invalid: impl FnMut(&[usize]) -> bool) -> Vec<usize> {
    let mut n = 2usize;
    while units.len() >= 2 {
        let chunk = units.len().div_ceil(n);
        let mut reduced = false;
        for start in (0..units.len()).step_by(chunk) {
            let end = (start + chunk).min(units.len());
            let complement: Vec<usize> = units[..start]
                .iter()
                .chain(&units[end..])
                .copied()
                .collect();
            if !complement.is_empty() && invalid(&complement) {
                units = complement;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= units.len() {
                break;
            }
            n = (2 * n).min(units.len());
        }
    }
    units
}

/// Shrinks an invalid history against a model to a 1-minimal invalid sub-history. Returns `None`
/// when the history is not invalid to begin with.
pub fn shrink(
    history: &History,
    spec: &ModelSpec,
    options: &Options,
) -> Result<Option<History>, CheckError> {
    let quick = Options {
        explain: false,
        all_keys: false,
        ..options.clone()
    };
    let report = check_history(history, spec, &quick)?;
    if report.verdict != Verdict::Invalid {
        return Ok(None);
    }
    let calls = history.calls()?;
    let is_invalid = |keep: &[usize]| {
        let sub = sub_history(history, &calls, keep);
        matches!(check_history(&sub, spec, &quick), Ok(r) if r.verdict == Verdict::Invalid)
    };
    let all: Vec<usize> = (0..calls.len()).collect();
    // Start from the first invalid key's calls when that alone is invalid.
    let key = report
        .invalid
        .first()
        .map(|f| f.key.clone())
        .unwrap_or_default();
    let of_key: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&c| calls[c].key.clone().unwrap_or_default() == key)
        .collect();
    let start = if !key.is_null() && of_key.len() < all.len() && is_invalid(&of_key) {
        of_key
    } else {
        all
    };
    let kept = ddmin(start, is_invalid);
    Ok(Some(sub_history(history, &calls, &kept)))
}
