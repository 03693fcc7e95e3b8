//! List-append: version orders from the lists read back, the anomalies that are not cycles, and
//! the ww, wr and rw edges.
//!
//! Inference, as in Elle. Every element is appended at most once per key (the workload's
//! contract; a second append of an element is refused as malformed input). Each key's version
//! order is its longest read; every other read must be a prefix of it (else incompatible-order).
//! Elements that a committed (ok) transaction appended but no read shows come after the whole
//! longest read (a read is a prefix of the final list, and that list holds every committed
//! element); their order among themselves is unknown, so they get edges from the last observed
//! version and from its readers, not between each other. Appends of indeterminate (info)
//! transactions count only once some read shows them; appends of failed ones never.
//!
//! A transaction's external read of a key is its first read of it, less its own earlier appends
//! (which the read must end with, else internal inconsistency); later reads must equal the
//! earlier read plus the appends made since.

use super::anomaly::AnomalyKind;
use super::explain::{Explanation, Version, Why};
use super::found::Found;
use super::graph::{EdgeKind, RawEdge};
use super::mop::{Mop, Txns, Workload};
use super::writers::{writers, Writers};
use crate::CheckError;
use histories::Outcome;
use rustc_hash::{FxHashMap, FxHashSet};

/// No position.
const NOWHERE: u32 = u32::MAX;

/// A transaction's first read of a key: micro-op `mop` of `txn`, whose first `ext_len` elements
/// were there before the transaction's own appends.
#[derive(Debug, Clone, Copy)]
struct ExtRead {
    txn: u32,
    mop: u32,
    key: u32,
    ext_len: u32,
}

/// The list-append analysis of a history's transactions.
pub(crate) struct ListAppend<'a> {
    txns: &'a Txns,
    writers: Writers,
    /// Per key, the inferred version order (the longest read, duplicates dropped).
    orders: Vec<Vec<u32>>,
    /// By write (as [`Writers::index`] numbers them), the position of the appended element in
    /// its key's order ([`NOWHERE`] when not in it).
    pos: Vec<u32>,
    /// Per key, the committed transactions whose appends no read shows.
    unobserved: Vec<Vec<u32>>,
    /// Per key, true when every read is a prefix of the order.
    compatible: Vec<bool>,
}

impl<'a> ListAppend<'a> {
    /// Infers the version orders, records the anomalies that are not cycles in `found`, and
    /// pushes the data edges onto `edges`.
    pub(crate) fn analyse(
        txns: &'a Txns,
        found: &mut Found,
        edges: &mut Vec<RawEdge>,
    ) -> Result<ListAppend<'a>, CheckError> {
        let nkeys = txns.keys.len();
        let writers = writers(txns, Workload::ListAppend)?;
        let writes = writers.len();
        let mut ext = Vec::new();
        let mut reads_by_key: Vec<Vec<(u32, u32)>> = vec![Vec::new(); nkeys];
        for (t, txn) in txns.txns.iter().enumerate() {
            if txn.outcome != Outcome::Ok {
                continue;
            }
            for (m, mop) in txns.mops(t).iter().enumerate() {
                if let Mop::ReadList {
                    key,
                    value: Some(_),
                } = mop
                {
                    reads_by_key[*key as usize].push((t as u32, m as u32));
                }
            }
            scan(txns, t as u32, found, &mut ext);
        }
        let mut la = ListAppend {
            txns,
            writers,
            orders: vec![Vec::new(); nkeys],
            pos: vec![NOWHERE; writes],
            unobserved: vec![Vec::new(); nkeys],
            compatible: vec![true; nkeys],
        };
        for (k, reads) in reads_by_key.iter().enumerate() {
            la.infer_order(k as u32, reads, found);
        }
        for k in 0..nkeys {
            la.find_dirty_updates(k as u32, found);
        }
        la.find_unobserved();
        la.check_read_elements(&reads_by_key, found);
        for e in &ext {
            la.check_intermediate(e, found);
        }
        la.find_lost_updates(&ext, found);
        la.push_edges(&ext, edges);
        Ok(la)
    }

    /// The position of appended element `e` in key `k`'s order, if it is in it.
    fn pos(&self, k: u32, e: u32) -> Option<u32> {
        let p = self.pos[self.writers.index(k, e)?];
        (p != NOWHERE).then_some(p)
    }

    fn read(&self, t: u32, m: u32) -> &'a [u32] {
        match self.txns.mops(t as usize)[m as usize] {
            Mop::ReadList {
                key,
                value: Some(r),
            } => self.txns.list(key, r),
            _ => &[],
        }
    }

    fn infer_order(&mut self, k: u32, reads: &[(u32, u32)], found: &mut Found) {
        let Some(&(lt, lm)) = reads
            .iter()
            .rev()
            .max_by_key(|&&(t, m)| self.read(t, m).len())
        else {
            return;
        };
        let longest = self.read(lt, lm);
        let mut seen = FxHashSet::default();
        let mut order = Vec::with_capacity(longest.len());
        let mut dups = Vec::new();
        for &e in longest {
            if seen.insert(e) {
                order.push(e);
            } else {
                dups.push(e);
            }
        }
        if !dups.is_empty() {
            found.add(AnomalyKind::DuplicateElements, || {
                Explanation::DuplicateElements {
                    txn: self.txns.txn_ref(lt),
                    key: self.txns.key(k),
                    read: self.txns.vals(longest),
                    duplicates: self.txns.vals(&dups),
                }
            });
        }
        for &(t, m) in reads {
            let r = self.read(t, m);
            if longest.starts_with(r) {
                continue;
            }
            self.compatible[k as usize] = false;
            found.add(AnomalyKind::IncompatibleOrder, || {
                Explanation::IncompatibleOrder {
                    key: self.txns.key(k),
                    first: self.txns.txn_ref(lt),
                    first_read: self.txns.vals(longest),
                    second: self.txns.txn_ref(t),
                    second_read: self.txns.vals(r),
                }
            });
            let mut seen = FxHashSet::default();
            let dups: Vec<u32> = r.iter().copied().filter(|e| !seen.insert(*e)).collect();
            if !dups.is_empty() {
                found.add(AnomalyKind::DuplicateElements, || {
                    Explanation::DuplicateElements {
                        txn: self.txns.txn_ref(t),
                        key: self.txns.key(k),
                        read: self.txns.vals(r),
                        duplicates: self.txns.vals(&dups),
                    }
                });
            }
        }
        for (i, &e) in order.iter().enumerate() {
            if let Some(w) = self.writers.index(k, e) {
                self.pos[w] = i as u32;
            }
        }
        self.orders[k as usize] = order;
    }

    /// Dirty updates, as Elle finds them: walking the key's version order, a committed append
    /// that follows a failed one with nothing but indeterminate appends between (which may or
    /// may not have committed, so they neither excuse nor condemn). Elements no transaction
    /// appended are skipped (they are garbage reads).
    fn find_dirty_updates(&self, k: u32, found: &mut Found) {
        // The last transaction whose outcome decides (None: the initial state, committed), and
        // the elements from its append on.
        let mut last: Option<u32> = None;
        let mut since: Vec<u32> = Vec::new();
        for &e in &self.orders[k as usize] {
            let Some(w) = self.writers.get(k, e).map(|w| w.txn) else {
                continue;
            };
            let before = last.map_or(Outcome::Ok, |t| self.txns.txns[t as usize].outcome);
            since.push(e);
            match self.txns.txns[w as usize].outcome {
                Outcome::Info => continue,
                Outcome::Fail if before == Outcome::Fail => continue,
                Outcome::Ok if before == Outcome::Fail => {
                    let aborted = last.unwrap_or(w);
                    found.add(AnomalyKind::DirtyUpdate, || Explanation::DirtyUpdate {
                        key: self.txns.key(k),
                        aborted: self.txns.txn_ref(aborted),
                        committed: self.txns.txn_ref(w),
                        values: self.txns.vals(&since),
                    });
                }
                Outcome::Ok | Outcome::Fail => {}
            }
            last = Some(w);
            since = vec![e];
        }
    }

    fn find_unobserved(&mut self) {
        for (t, txn) in self.txns.txns.iter().enumerate() {
            if txn.outcome != Outcome::Ok {
                continue;
            }
            for mop in self.txns.mops(t) {
                if let Mop::Append { key, value } = mop {
                    let unplaced = self.pos(*key, *value).is_none();
                    let list = &mut self.unobserved[*key as usize];
                    if unplaced && list.last() != Some(&(t as u32)) {
                        list.push(t as u32);
                    }
                }
            }
        }
    }

    /// Garbage reads and aborted reads (G1a). Elements of the order are checked once per key; a
    /// read that is a prefix of the order holds only those; other reads are checked one by one.
    fn check_read_elements(&self, reads_by_key: &[Vec<(u32, u32)>], found: &mut Found) {
        for (k, reads) in reads_by_key.iter().enumerate() {
            let k = k as u32;
            let order = &self.orders[k as usize];
            let bad: Vec<usize> = (0..order.len())
                .filter(|&i| {
                    self.writers
                        .get(k, order[i])
                        .is_none_or(|w| self.txns.txns[w.txn as usize].outcome == Outcome::Fail)
                })
                .collect();
            let mut reported = FxHashSet::default();
            for &(t, m) in reads {
                let r = self.read(t, m);
                let prefix = order.starts_with(r);
                let suspects: Vec<u32> = if prefix {
                    bad.iter()
                        .take_while(|&&i| i < r.len())
                        .map(|&i| order[i])
                        .collect()
                } else {
                    r.to_vec()
                };
                for e in suspects {
                    if reported.insert(e) {
                        self.check_element(t, m, k, e, found);
                    }
                }
            }
        }
    }

    fn check_element(&self, t: u32, m: u32, k: u32, e: u32, found: &mut Found) {
        let read = || Version::List(self.txns.vals(self.read(t, m)));
        match self.writers.get(k, e) {
            None => found.add(AnomalyKind::GarbageRead, || Explanation::GarbageRead {
                reader: self.txns.txn_ref(t),
                key: self.txns.key(k),
                value: self.txns.val(e),
                read: read(),
            }),
            Some(w) if self.txns.txns[w.txn as usize].outcome == Outcome::Fail => {
                found.add(AnomalyKind::G1a, || Explanation::AbortedRead {
                    reader: self.txns.txn_ref(t),
                    writer: self.txns.txn_ref(w.txn),
                    key: self.txns.key(k),
                    value: self.txns.val(e),
                    read: read(),
                })
            }
            Some(_) => {}
        }
    }

    /// G1b: the last element of an external read is not its writer's last append to the key.
    fn check_intermediate(&self, e: &ExtRead, found: &mut Found) {
        let r = self.read(e.txn, e.mop);
        let Some(&last) = r[..e.ext_len as usize].last() else {
            return;
        };
        let Some(w) = self.writers.get(e.key, last) else {
            return;
        };
        let wtxn = &self.txns.txns[w.txn as usize];
        if w.last || w.txn == e.txn || wtxn.outcome == Outcome::Fail {
            return;
        }
        let final_append = (self.txns.mops(w.txn as usize).iter())
            .rev()
            .find_map(|m| match m {
                Mop::Append { key, value } if *key == e.key => Some(*value),
                _ => None,
            })
            .unwrap_or(last);
        found.add(AnomalyKind::G1b, || Explanation::IntermediateRead {
            reader: self.txns.txn_ref(e.txn),
            writer: self.txns.txn_ref(w.txn),
            key: self.txns.key(e.key),
            value: self.txns.val(last),
            read: Version::List(self.txns.vals(r)),
            last: self.txns.val(final_append),
        });
    }

    /// Lost update: two committed transactions read the same version of a key (the same list,
    /// whether or not the key's reads are compatible) and both appended to it.
    fn find_lost_updates(&self, ext: &[ExtRead], found: &mut Found) {
        let mut groups: FxHashMap<(u32, &[u32]), Vec<u32>> = FxHashMap::default();
        for e in ext {
            let appends = (self.txns.mops(e.txn as usize).iter())
                .any(|m| matches!(m, Mop::Append { key, .. } if *key == e.key));
            if appends {
                let version = &self.read(e.txn, e.mop)[..e.ext_len as usize];
                groups.entry((e.key, version)).or_default().push(e.txn);
            }
        }
        let mut groups: Vec<_> = groups.into_iter().filter(|(_, ts)| ts.len() > 1).collect();
        groups.sort_unstable();
        for ((k, version), ts) in groups {
            found.add(AnomalyKind::LostUpdate, || Explanation::LostUpdate {
                key: self.txns.key(k),
                read: Version::List(self.txns.vals(version)),
                txns: ts.iter().map(|&t| self.txns.txn_ref(t)).collect(),
            });
        }
    }

    /// The committed (or observed) writer of an element, if any.
    fn writer(&self, k: u32, e: u32) -> Option<u32> {
        self.writers
            .get(k, e)
            .filter(|w| self.txns.txns[w.txn as usize].outcome != Outcome::Fail)
            .map(|w| w.txn)
    }

    fn push_edges(&self, ext: &[ExtRead], edges: &mut Vec<RawEdge>) {
        for (k, order) in self.orders.iter().enumerate() {
            let k = k as u32;
            let ws: Vec<Option<u32>> = order.iter().map(|&e| self.writer(k, e)).collect();
            for pair in ws.windows(2) {
                if let [Some(a), Some(b)] = *pair {
                    if a != b {
                        edges.push((a, b, EdgeKind::Ww));
                    }
                }
            }
            if let Some(&Some(last)) = ws.last() {
                for &u in &self.unobserved[k as usize] {
                    if u != last {
                        edges.push((last, u, EdgeKind::Ww));
                    }
                }
            }
        }
        for e in ext {
            let r = self.read(e.txn, e.mop);
            let len = e.ext_len as usize;
            if let Some(&last) = r[..len].last() {
                if let Some(w) = self.writer(e.key, last).filter(|&w| w != e.txn) {
                    edges.push((w, e.txn, EdgeKind::Wr));
                }
            }
            let order = &self.orders[e.key as usize];
            if !order.starts_with(&r[..len]) {
                continue;
            }
            if len < order.len() {
                if let Some(w) = self.writer(e.key, order[len]).filter(|&w| w != e.txn) {
                    edges.push((e.txn, w, EdgeKind::Rw));
                }
            } else {
                for &u in &self.unobserved[e.key as usize] {
                    if u != e.txn {
                        edges.push((e.txn, u, EdgeKind::Rw));
                    }
                }
            }
        }
    }

    /// The evidence for a data edge `a -> b` of kind `kind`, found again from the micro-ops.
    pub(crate) fn why(&self, a: u32, b: u32, kind: EdgeKind) -> Option<Why> {
        match kind {
            EdgeKind::Ww => self.txns.mops(b as usize).iter().find_map(|m| {
                let Mop::Append { key, value } = *m else {
                    return None;
                };
                let order = &self.orders[key as usize];
                let before = match self.pos(key, value) {
                    Some(0) => return None,
                    Some(p) => order[p as usize - 1],
                    None => *order.last()?,
                };
                (self.writer(key, before) == Some(a)).then(|| Why::Overwrote {
                    key: self.txns.key(key),
                    before: self.txns.val(before),
                    after: self.txns.val(value),
                    append: true,
                })
            }),
            EdgeKind::Wr => self.ext_reads(b).into_iter().find_map(|e| {
                let r = self.read(e.txn, e.mop);
                let last = *r[..e.ext_len as usize].last()?;
                (self.writer(e.key, last) == Some(a)).then(|| Why::Read {
                    key: self.txns.key(e.key),
                    read: Version::List(self.txns.vals(r)),
                    value: self.txns.val(last),
                    append: true,
                })
            }),
            EdgeKind::Rw => self.ext_reads(a).into_iter().find_map(|e| {
                let r = self.read(e.txn, e.mop);
                let len = e.ext_len as usize;
                let order = &self.orders[e.key as usize];
                let next = if len < order.len() {
                    Some(order[len]).filter(|&n| self.writer(e.key, n) == Some(b))
                } else {
                    (self.txns.mops(b as usize).iter()).find_map(|m| match *m {
                        Mop::Append { key, value }
                            if key == e.key && self.pos(key, value).is_none() =>
                        {
                            Some(value)
                        }
                        _ => None,
                    })
                }?;
                Some(Why::Missed {
                    key: self.txns.key(e.key),
                    read: Version::List(self.txns.vals(&r[..len])),
                    value: self.txns.val(next),
                    append: true,
                })
            }),
            EdgeKind::Process | EdgeKind::Realtime => None,
        }
    }

    fn ext_reads(&self, t: u32) -> Vec<ExtRead> {
        let mut ext = Vec::new();
        scan(self.txns, t, &mut Found::new(0), &mut ext);
        ext
    }
}

/// A transaction's external reads, and its internal inconsistencies and first future read (an
/// element read before the transaction itself appends it; into `found`).
fn scan(txns: &Txns, t: u32, found: &mut Found, ext: &mut Vec<ExtRead>) {
    #[derive(Default)]
    struct KeyState<'r> {
        last_read: Option<&'r [u32]>,
        since: Vec<u32>,
        all: Vec<u32>,
        reads: Vec<&'r [u32]>,
    }
    let mops = txns.mops(t as usize);
    if mops.len() <= 8 {
        // Each key touched once (most transactions): every read is external and whole, and
        // there is nothing to be inconsistent with.
        let key = |m: &Mop| match *m {
            Mop::Append { key, .. } | Mop::ReadList { key, .. } => Some(key),
            _ => None,
        };
        let distinct = mops
            .iter()
            .enumerate()
            .all(|(i, a)| key(a).is_none_or(|ka| mops[..i].iter().all(|b| key(b) != Some(ka))));
        if distinct {
            for (m, mop) in mops.iter().enumerate() {
                if let &Mop::ReadList {
                    key,
                    value: Some(r),
                } = mop
                {
                    ext.push(ExtRead {
                        txn: t,
                        mop: m as u32,
                        key,
                        ext_len: txns.list(key, r).len() as u32,
                    });
                }
            }
            return;
        }
    }
    let mut future_read = false;
    let mut state: FxHashMap<u32, KeyState> = FxHashMap::default();
    for (m, mop) in mops.iter().enumerate() {
        match mop {
            Mop::Append { key, value } => {
                let st = state.entry(*key).or_default();
                st.since.push(*value);
                st.all.push(*value);
                let seen = st.reads.iter().find(|r| r.contains(value));
                if let (Some(r), false) = (seen, future_read) {
                    future_read = true;
                    found.add(AnomalyKind::FutureRead, || Explanation::FutureRead {
                        txn: txns.txn_ref(t),
                        key: txns.key(*key),
                        read: txns.vals(r),
                        element: txns.val(*value),
                    });
                }
            }
            &Mop::ReadList {
                ref key,
                value: Some(r),
            } => {
                let r = txns.list(*key, r);
                let st = state.entry(*key).or_default();
                let expected: Option<Vec<u32>> = match st.last_read {
                    Some(prev) => {
                        let want: Vec<u32> = prev.iter().chain(&st.since).copied().collect();
                        (want != *r).then_some(want)
                    }
                    None if r.ends_with(&st.all) => {
                        ext.push(ExtRead {
                            txn: t,
                            mop: m as u32,
                            key: *key,
                            ext_len: (r.len() - st.all.len()) as u32,
                        });
                        None
                    }
                    None => Some(st.all.clone()),
                };
                if let Some(want) = expected {
                    found.add(AnomalyKind::Internal, || Explanation::Internal {
                        txn: txns.txn_ref(t),
                        key: txns.key(*key),
                        expected: Version::List(txns.vals(&want)),
                        read: Version::List(txns.vals(r)),
                    });
                }
                st.last_read = Some(r);
                st.reads.push(r);
                st.since.clear();
            }
            _ => {}
        }
    }
}
