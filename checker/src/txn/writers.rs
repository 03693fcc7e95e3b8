//! Who wrote each value of each key: the index list-append and rw-register both build before
//! inferring version orders, refusing a value written twice to one key.
//!
//! Kept per key, sorted by value (9 to 12 bytes a write): a history of tens of millions of
//! writes is looked up key by key, each key's writes side by side, where one hash table over
//! all of them would be a random access into hundreds of megabytes for every element.

use super::mop::{Mop, Txns, Workload};
use crate::CheckError;
use rustc_hash::{FxHashMap, FxHashSet};

/// Who wrote a value to a key (appended an element to a list, or wrote a register value).
#[derive(Debug, Clone, Copy)]
pub(super) struct Writer {
    /// The writing transaction.
    pub txn: u32,
    /// True when this is the transaction's last write to the key.
    pub last: bool,
}

/// A (key, value) pair packed into one `u64`.
pub(super) fn pair(key: u32, value: u32) -> u64 {
    (u64::from(key) << 32) | u64::from(value)
}

/// Every write, by key and value.
pub(super) struct Writers {
    /// Key `k`'s writes are `first[k]..first[k + 1]` of `values` and `writers`, by value.
    first: Vec<usize>,
    values: Vec<u32>,
    writers: Vec<Writer>,
}

impl Writers {
    /// Where the write of `value` to `key` is kept (an index below [`Writers::len`]), if any.
    pub(super) fn index(&self, key: u32, value: u32) -> Option<usize> {
        let (&a, &b) = (
            self.first.get(key as usize)?,
            self.first.get(key as usize + 1)?,
        );
        let at = a + self.values[a..b].binary_search(&value).ok()?;
        Some(at)
    }

    /// The writer of `value` to `key`, if any.
    pub(super) fn get(&self, key: u32, value: u32) -> Option<&Writer> {
        self.index(key, value).map(|i| &self.writers[i])
    }

    /// How many writes there are.
    pub(super) fn len(&self) -> usize {
        self.values.len()
    }
}

/// The write micro-op of `workload` (append for list-append, write for rw-register), as (key,
/// value).
fn write(workload: Workload, mop: &Mop) -> Option<(u32, u32)> {
    match (workload, mop) {
        (Workload::ListAppend, &Mop::Append { key, value })
        | (Workload::RwRegister, &Mop::Write { key, value }) => Some((key, value)),
        _ => None,
    }
}

/// Who wrote each (key, value), under `workload`'s write micro-op; a second write of a value to
/// a key is malformed input.
pub(super) fn writers(txns: &Txns, workload: Workload) -> Result<Writers, CheckError> {
    let nkeys = txns.keys.len();
    // Counting sort by key: `first[k]` counts down from the end of k's writes.
    let mut first = vec![0usize; nkeys + 1];
    for (key, _) in txns.arena.iter().filter_map(|m| write(workload, m)) {
        first[key as usize] += 1;
    }
    let mut end = 0;
    for f in first.iter_mut() {
        end += *f;
        *f = end;
    }
    let mut values = vec![0u32; end];
    let mut writers = vec![
        Writer {
            txn: 0,
            last: false
        };
        end
    ];
    let mut later: FxHashSet<u32> = FxHashSet::default();
    for t in 0..txns.txns.len() {
        later.clear();
        for mop in txns.mops(t).iter().rev() {
            let Some((key, value)) = write(workload, mop) else {
                continue;
            };
            let f = &mut first[key as usize];
            *f -= 1;
            values[*f] = value;
            writers[*f] = Writer {
                txn: t as u32,
                last: later.insert(key),
            };
        }
    }
    let mut duplicate = false;
    let mut by_value: Vec<(u32, Writer)> = Vec::new();
    for k in 0..nkeys {
        let (a, b) = (first[k], first[k + 1]);
        by_value.clear();
        by_value.extend((a..b).map(|i| (values[i], writers[i])));
        by_value.sort_unstable_by_key(|&(v, _)| v);
        duplicate |= by_value.windows(2).any(|w| w[0].0 == w[1].0);
        for (i, &(v, w)) in (a..b).zip(&by_value) {
            values[i] = v;
            writers[i] = w;
        }
    }
    if let Some(e) = duplicate.then(|| first_duplicate(txns, workload)).flatten() {
        return Err(e);
    }
    Ok(Writers {
        first,
        values,
        writers,
    })
}

/// The error for the first value written twice to a key, in the order of transactions (and of
/// each transaction's writes, last first).
fn first_duplicate(txns: &Txns, workload: Workload) -> Option<CheckError> {
    let (verb, item) = match workload {
        Workload::ListAppend => ("appended", "element"),
        Workload::RwRegister => ("written", "value"),
    };
    let mut seen: FxHashMap<u64, u32> = FxHashMap::default();
    for t in 0..txns.txns.len() {
        for (key, value) in txns.mops(t).iter().rev().filter_map(|m| write(workload, m)) {
            if let Some(prev) = seen.insert(pair(key, value), t as u32) {
                let other = &txns.txns[prev as usize];
                return Some(txns.bad(
                    t,
                    format!(
                        "{} is {verb} to key {} twice (also by the transaction invoked at op {}); \
                         {workload} needs each {item} {verb} at most once per key",
                        txns.val(value),
                        txns.key(key),
                        other.invoke_index
                    ),
                ));
            }
        }
    }
    None
}
