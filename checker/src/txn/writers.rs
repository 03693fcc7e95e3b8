//! Who wrote each value of each key: the index list-append and rw-register both build before
//! inferring version orders, refusing a value written twice to one key.

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

/// A (key, value) pair packed into one `u64`, the key of [`writers`]' map.
pub(super) fn pair(key: u32, value: u32) -> u64 {
    (u64::from(key) << 32) | u64::from(value)
}

/// Who wrote each (key, value), by [`pair`], under `workload`'s write micro-op (append for
/// list-append, write for rw-register); a second write of a value to a key is malformed input.
pub(super) fn writers(
    txns: &Txns,
    workload: Workload,
) -> Result<FxHashMap<u64, Writer>, CheckError> {
    let (verb, item) = match workload {
        Workload::ListAppend => ("appended", "element"),
        Workload::RwRegister => ("written", "value"),
    };
    let mut writers: FxHashMap<u64, Writer> = FxHashMap::default();
    let mut later: FxHashSet<u32> = FxHashSet::default();
    for t in 0..txns.txns.len() {
        later.clear();
        for mop in txns.mops(t).iter().rev() {
            let (key, value) = match (workload, mop) {
                (Workload::ListAppend, &Mop::Append { key, value })
                | (Workload::RwRegister, &Mop::Write { key, value }) => (key, value),
                _ => continue,
            };
            let last = later.insert(key);
            let w = Writer {
                txn: t as u32,
                last,
            };
            if let Some(prev) = writers.insert(pair(key, value), w) {
                let other = &txns.txns[prev.txn as usize];
                return Err(txns.bad(
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
    Ok(writers)
}
