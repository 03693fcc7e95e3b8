//! Invocations paired with completions by reference: the transactional checker's light version
//! of [`histories::History::calls`], which clones every value (too costly for a history of a
//! million transactions). Pairing rules are those of `calls`; when a history breaks them, `calls`
//! itself is asked for the located error.

use crate::CheckError;
use histories::{History, Op, OpType, Outcome, Process};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

/// A call, borrowing its values from the history.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TxnCall<'h> {
    /// Position among the history's calls (as in `History::calls`).
    pub id: usize,
    pub process: Process,
    pub f: &'h str,
    pub outcome: Outcome,
    pub invoke_index: u64,
    pub complete_index: Option<u64>,
    /// The invocation's value.
    pub argument: &'h Value,
    /// The completion's value for an ok call; the invocation's otherwise.
    pub result: &'h Value,
}

/// Every client call of `history`, in invocation order.
pub(crate) fn pairs(history: &History) -> Result<Vec<TxnCall<'_>>, CheckError> {
    match try_pairs(history) {
        Some(calls) => Ok(calls),
        None => match history.calls() {
            Err(e) => Err(e.into()),
            Ok(_) => Err(CheckError::Model(
                "the history's calls could not be paired".to_string(),
            )),
        },
    }
}

fn try_pairs(history: &History) -> Option<Vec<TxnCall<'_>>> {
    let mut calls: Vec<TxnCall> = Vec::new();
    let mut open: FxHashMap<Process, usize> = FxHashMap::default();
    let mut dead: FxHashSet<Process> = FxHashSet::default();
    for op in history.client_ops() {
        if op.kind == OpType::Invoke {
            if open.contains_key(&op.process) || dead.contains(&op.process) {
                return None;
            }
            open.insert(op.process, calls.len());
            calls.push(invocation(calls.len(), op));
            continue;
        }
        let c = open.remove(&op.process)?;
        let call = &mut calls[c];
        if call.f != op.f {
            return None;
        }
        call.complete_index = Some(op.index);
        call.outcome = match op.kind {
            OpType::Ok => {
                call.result = &op.value;
                Outcome::Ok
            }
            OpType::Fail => Outcome::Fail,
            _ => {
                dead.insert(op.process);
                Outcome::Info
            }
        };
    }
    Some(calls)
}

fn invocation(id: usize, op: &Op) -> TxnCall<'_> {
    TxnCall {
        id,
        process: op.process,
        f: &op.f,
        outcome: Outcome::Info,
        invoke_index: op.index,
        complete_index: None,
        argument: &op.value,
        result: &op.value,
    }
}
