//! A brute-force reference checker, for tests: tries every order of the calls consistent with
//! real time (optional calls may also be left out). Exponential: meant for histories of at most
//! about 8 calls.

use super::problem::{self, Entry};
use crate::model::{FailSemantics, Model};
use crate::CheckError;
use histories::Call;

/// True when some order of `entries` consistent with real time is legal from the initial state.
pub fn linearizable<M: Model>(model: &M, entries: &[Entry<M::Action>]) -> bool {
    assert!(
        entries.len() <= 20,
        "the reference checker is for tiny histories"
    );
    place(model, entries, 0, &model.init())
}

fn place<M: Model>(model: &M, entries: &[Entry<M::Action>], done: u32, state: &M::State) -> bool {
    let all_required = entries
        .iter()
        .enumerate()
        .all(|(i, e)| done & (1 << i) != 0 || !e.required());
    if all_required {
        return true;
    }
    for (i, e) in entries.iter().enumerate() {
        if done & (1 << i) != 0 {
            continue;
        }
        let blocked = entries
            .iter()
            .enumerate()
            .any(|(j, p)| j != i && done & (1 << j) == 0 && p.precedes(e));
        if blocked {
            continue;
        }
        if let Ok(next) = model.step(state, &e.action) {
            if place(model, entries, done | (1 << i), &next) {
                return true;
            }
        }
        if !e.required() && place(model, entries, done | (1 << i), state) {
            return true;
        }
    }
    false
}

/// True when every partition of the calls is linearizable, by brute force.
pub fn check<M: Model>(
    model: &M,
    calls: &[Call],
    semantics: FailSemantics,
) -> Result<bool, CheckError> {
    Ok(problem::partitions(model, calls, semantics)?
        .iter()
        .all(|p| linearizable(model, &p.entries)))
}
