//! Read-write registers: version orders from the initial state and writes-follow-reads, the
//! anomalies that are not cycles, and the ww, wr and rw edges.
//!
//! Inference, as Elle's rw-register checker does with its initial-state and writes-follow-reads
//! rules. Every value is written at most once per key (the workload's contract; a second write of
//! a value is refused as malformed input). A transaction's version of a key is its last write to
//! it; earlier writes are intermediate. The version order of a key is partial:
//! - the initial state (nil) precedes every version;
//! - writes follow reads: when a committed transaction read version x of a key (externally,
//!   before writing it) and wrote y, then x precedes y. This rule can be turned off
//!   ([`super::TxnOptions::writes_follow_reads`]); the initial state is then the only source of
//!   ww and rw edges.
//!
//! Edges: ww from the writer of x to the writer of y for each writes-follow-reads pair; wr from
//! the writer of a version to each transaction that read it; rw from each reader of x to the
//! writer of every version known to directly follow x (for nil: every version written by a
//! committed transaction, or by an indeterminate one that some read showed).
//!
//! A transaction's external read of a key is its first access to it when that access is a read;
//! any later read must show the value the transaction last read or wrote (else internal).

use super::anomaly::AnomalyKind;
use super::explain::{Explanation, Version, Why};
use super::found::Found;
use super::graph::{EdgeKind, RawEdge};
use super::mop::{Mop, Txns, Workload};
use super::writers::{pair, writers, Writers};
use crate::CheckError;
use histories::Outcome;
use rustc_hash::{FxHashMap, FxHashSet};

/// A transaction's external read of a key (`value` `None` = nil), and the version it then
/// wrote to that key, if it did.
#[derive(Debug, Clone, Copy)]
struct ExtRead {
    txn: u32,
    key: u32,
    value: Option<u32>,
    wrote: Option<u32>,
}

/// The rw-register analysis of a history's transactions.
pub(crate) struct RwRegister<'a> {
    txns: &'a Txns,
    writers: Writers,
    /// Per key, the transactions whose version some read showed or that committed.
    installed: Vec<Vec<u32>>,
    /// Whether versions are ordered by writes-follow-reads (else only by the initial state).
    wfr: bool,
}

impl<'a> RwRegister<'a> {
    /// Infers the version orders, records the anomalies that are not cycles in `found`, and
    /// pushes the data edges onto `edges`.
    pub(crate) fn analyse(
        txns: &'a Txns,
        wfr: bool,
        found: &mut Found,
        edges: &mut Vec<RawEdge>,
    ) -> Result<RwRegister<'a>, CheckError> {
        let writers = writers(txns, Workload::RwRegister)?;
        let mut ext = Vec::new();
        for (t, txn) in txns.txns.iter().enumerate() {
            if txn.outcome == Outcome::Ok {
                scan(txns, t as u32, found, &mut ext);
            }
        }
        let mut rr = RwRegister {
            txns,
            writers,
            installed: vec![Vec::new(); txns.keys.len()],
            wfr,
        };
        let observed = rr.check_reads(&ext, found);
        rr.find_installed(&observed);
        rr.find_lost_updates(&ext, found);
        rr.push_edges(&ext, edges);
        Ok(rr)
    }

    /// Garbage, aborted (G1a) and intermediate (G1b) reads; returns the (key, value) pairs that
    /// some committed transaction read.
    fn check_reads(&self, ext: &[ExtRead], found: &mut Found) -> FxHashSet<u64> {
        let mut observed = FxHashSet::default();
        for e in ext {
            let Some(v) = e.value else { continue };
            observed.insert(pair(e.key, v));
            let read = || Version::Register(Some(self.txns.val(v)));
            match self.writers.get(e.key, v) {
                None => found.add(AnomalyKind::GarbageRead, || Explanation::GarbageRead {
                    reader: self.txns.txn_ref(e.txn),
                    key: self.txns.key(e.key),
                    value: self.txns.val(v),
                    read: read(),
                }),
                Some(w) if self.txns.txns[w.txn as usize].outcome == Outcome::Fail => {
                    found.add(AnomalyKind::G1a, || Explanation::AbortedRead {
                        reader: self.txns.txn_ref(e.txn),
                        writer: self.txns.txn_ref(w.txn),
                        key: self.txns.key(e.key),
                        value: self.txns.val(v),
                        read: read(),
                    })
                }
                Some(w) if !w.last && w.txn != e.txn => {
                    let last = self.last_write(w.txn, e.key).unwrap_or(v);
                    found.add(AnomalyKind::G1b, || Explanation::IntermediateRead {
                        reader: self.txns.txn_ref(e.txn),
                        writer: self.txns.txn_ref(w.txn),
                        key: self.txns.key(e.key),
                        value: self.txns.val(v),
                        read: read(),
                        last: self.txns.val(last),
                    })
                }
                Some(_) => {}
            }
        }
        observed
    }

    fn last_write(&self, t: u32, k: u32) -> Option<u32> {
        (self.txns.mops(t as usize).iter())
            .rev()
            .find_map(|m| match *m {
                Mop::Write { key, value } if key == k => Some(value),
                _ => None,
            })
    }

    fn find_installed(&mut self, observed: &FxHashSet<u64>) {
        for (t, txn) in self.txns.txns.iter().enumerate() {
            let mut keys: Vec<u32> = Vec::new();
            for mop in self.txns.mops(t) {
                if let Mop::Write { key, value } = *mop {
                    let counts = match txn.outcome {
                        Outcome::Ok => true,
                        Outcome::Info => observed.contains(&pair(key, value)),
                        Outcome::Fail => false,
                    };
                    if counts && !keys.contains(&key) {
                        keys.push(key);
                        self.installed[key as usize].push(t as u32);
                    }
                }
            }
        }
    }

    fn find_lost_updates(&self, ext: &[ExtRead], found: &mut Found) {
        let mut groups: FxHashMap<(u32, Option<u32>), Vec<u32>> = FxHashMap::default();
        for e in ext.iter().filter(|e| e.wrote.is_some()) {
            groups.entry((e.key, e.value)).or_default().push(e.txn);
        }
        let mut groups: Vec<_> = groups.into_iter().filter(|(_, ts)| ts.len() > 1).collect();
        groups.sort_unstable();
        for ((k, v), ts) in groups {
            found.add(AnomalyKind::LostUpdate, || Explanation::LostUpdate {
                key: self.txns.key(k),
                read: Version::Register(v.map(|v| self.txns.val(v))),
                txns: ts.iter().map(|&t| self.txns.txn_ref(t)).collect(),
            });
        }
    }

    /// The committed (or observed) writer of a value, if any.
    fn writer(&self, k: u32, v: u32) -> Option<u32> {
        self.writers
            .get(k, v)
            .filter(|w| self.txns.txns[w.txn as usize].outcome != Outcome::Fail)
            .map(|w| w.txn)
    }

    fn push_edges(&self, ext: &[ExtRead], edges: &mut Vec<RawEdge>) {
        // Successors of each read version, by writes-follow-reads: (key, read value) -> writers.
        let mut next: FxHashMap<(u32, Option<u32>), Vec<u32>> = FxHashMap::default();
        for e in ext.iter().filter(|e| self.wfr && e.wrote.is_some()) {
            next.entry((e.key, e.value)).or_default().push(e.txn);
        }
        for e in ext {
            let read_from = e.value.and_then(|v| self.writer(e.key, v));
            if let Some(w) = read_from.filter(|&w| w != e.txn) {
                edges.push((w, e.txn, EdgeKind::Wr));
                if self.wfr && e.wrote.is_some() {
                    edges.push((w, e.txn, EdgeKind::Ww));
                }
            }
            let successors: &[u32] = match e.value {
                None => &self.installed[e.key as usize],
                Some(_) => next.get(&(e.key, e.value)).map_or(&[], Vec::as_slice),
            };
            for &s in successors {
                if s != e.txn {
                    edges.push((e.txn, s, EdgeKind::Rw));
                }
            }
        }
    }

    /// The evidence for a data edge `a -> b` of kind `kind`, found again from the micro-ops.
    pub(crate) fn why(&self, a: u32, b: u32, kind: EdgeKind) -> Option<Why> {
        let ext_b = self.ext_reads(b);
        match kind {
            EdgeKind::Ww => ext_b.iter().find_map(|e| {
                let (v, after) = (e.value?, e.wrote?);
                (self.writer(e.key, v) == Some(a)).then(|| Why::Overwrote {
                    key: self.txns.key(e.key),
                    before: self.txns.val(v),
                    after: self.txns.val(after),
                    append: false,
                })
            }),
            EdgeKind::Wr => ext_b.iter().find_map(|e| {
                let v = e.value?;
                (self.writer(e.key, v) == Some(a)).then(|| Why::Read {
                    key: self.txns.key(e.key),
                    read: Version::Register(Some(self.txns.val(v))),
                    value: self.txns.val(v),
                    append: false,
                })
            }),
            EdgeKind::Rw => self.ext_reads(a).iter().find_map(|e| {
                let wrote = match e.value {
                    None => self
                        .last_write(b, e.key)
                        .filter(|_| self.installed[e.key as usize].contains(&b))?,
                    Some(_) => {
                        ext_b
                            .iter()
                            .find(|f| f.key == e.key && f.value == e.value)?
                            .wrote?
                    }
                };
                Some(Why::Missed {
                    key: self.txns.key(e.key),
                    read: Version::Register(e.value.map(|v| self.txns.val(v))),
                    value: self.txns.val(wrote),
                    append: false,
                })
            }),
            EdgeKind::Process | EdgeKind::Realtime => None,
        }
    }

    fn ext_reads(&self, t: u32) -> Vec<ExtRead> {
        let mut ext = Vec::new();
        if self.txns.txns[t as usize].outcome == Outcome::Ok {
            scan(self.txns, t, &mut Found::new(0), &mut ext);
        }
        ext
    }
}

/// A transaction's external reads (with the version it then wrote), and its internal
/// inconsistencies (into `found`).
fn scan(txns: &Txns, t: u32, found: &mut Found, ext: &mut Vec<ExtRead>) {
    // Per key: the value the transaction last read or wrote, and where its external read is.
    let mut state: FxHashMap<u32, (Option<u32>, Option<usize>)> = FxHashMap::default();
    for mop in txns.mops(t as usize) {
        match *mop {
            Mop::Write { key, value } => {
                let st = state.entry(key).or_insert((None, None));
                st.0 = Some(value);
                if let Some(i) = st.1 {
                    ext[i].wrote = Some(value);
                }
            }
            Mop::ReadRegister {
                key,
                value: Some(r),
            } => match state.get(&key) {
                Some(&(known, _)) if known != r => {
                    found.add(AnomalyKind::Internal, || Explanation::Internal {
                        txn: txns.txn_ref(t),
                        key: txns.key(key),
                        expected: Version::Register(known.map(|v| txns.val(v))),
                        read: Version::Register(r.map(|v| txns.val(v))),
                    })
                }
                Some(_) => {}
                None => {
                    state.insert(key, (r, Some(ext.len())));
                    ext.push(ExtRead {
                        txn: t,
                        key,
                        value: r,
                        wrote: None,
                    });
                }
            },
            _ => {}
        }
    }
}
