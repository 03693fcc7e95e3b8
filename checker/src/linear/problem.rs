//! From a history's calls to the independent problems the search solves: one per partition.

use crate::model::{Datum, FailSemantics, Model};
use crate::CheckError;
use histories::{Call, Outcome};
use rustc_hash::FxHashMap;

/// One call as the search sees it.
#[derive(Debug, Clone)]
pub struct Entry<A> {
    /// The call's id (its index in `History::calls()`).
    pub call: usize,
    /// What the call did, for the model.
    pub action: A,
    /// Position of the invocation in the history (op index): real-time order is event order.
    pub invoke: u64,
    /// Position of the completion; `None` for a call that may take effect at any time after its
    /// invocation, or never (info, or never completed).
    pub complete: Option<u64>,
}

impl<A> Entry<A> {
    /// True when the call must take effect (it completed with a known outcome).
    pub fn required(&self) -> bool {
        self.complete.is_some()
    }

    /// True when this call completed before `other` was invoked.
    pub fn precedes<B>(&self, other: &Entry<B>) -> bool {
        self.complete.is_some_and(|c| c < other.invoke)
    }
}

/// The calls of one key, checked independently of every other key.
#[derive(Debug, Clone)]
pub struct Partition<A> {
    /// The key; `None` when the model does not partition or calls carry no key.
    pub key: Option<Datum>,
    /// Its calls, in invocation order.
    pub entries: Vec<Entry<A>>,
}

/// Splits the calls into partitions of entries, dropping calls that constrain nothing (failed ops
/// under Knossos semantics, reads of unknown value, ...). Partitions come in order of first call.
pub fn partitions<M: Model>(
    model: &M,
    calls: &[Call],
    semantics: FailSemantics,
) -> Result<Vec<Partition<M::Action>>, CheckError> {
    let mut index: FxHashMap<Option<Datum>, usize> = FxHashMap::default();
    let mut parts: Vec<Partition<M::Action>> = Vec::new();
    for call in calls {
        if call.outcome == Outcome::Fail && semantics == FailSemantics::Knossos {
            continue;
        }
        let Some(action) = model.action(call, semantics)? else {
            continue;
        };
        let key = model.partition(call);
        let slot = *index.entry(key.clone()).or_insert_with(|| {
            parts.push(Partition {
                key,
                entries: Vec::new(),
            });
            parts.len() - 1
        });
        let complete = match call.outcome {
            Outcome::Info => None,
            Outcome::Ok | Outcome::Fail => call.complete_index,
        };
        parts[slot].entries.push(Entry {
            call: call.id,
            action,
            invoke: call.invoke_index,
            complete,
        });
    }
    Ok(parts)
}
