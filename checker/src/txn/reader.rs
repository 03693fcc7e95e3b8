//! Reads a history's ops one at a time into compact transactions, so that a history need never
//! be held in memory whole: feed it the ops of a file read as a stream, or of a [`History`].
//!
//! Pairing follows [`History::calls`]: an invocation is completed by the next completion on its
//! process; a second invocation on an open process, an invocation after an info, a completion
//! without an invocation or of another f are errors naming the op. Calls never completed are
//! indeterminate. Calls whose f is not `"txn"` are paired and counted, not checked.
//!
//! Workload detection, when not forced: appends mean list-append, writes mean rw-register, both
//! is an error; with only reads, a read of a list means list-append.

use super::mop::{Interner, ListRef, Lists, Mop, RawRead, Txn, Txns, Workload};
use super::report::{TxnOptions, TxnReport};
use crate::CheckError;
use histories::{History, HistoryError, Location, Op, OpType, Outcome, Process};
use rustc_hash::FxHashMap;
use serde_json::Value;

/// An invocation waiting for its completion.
struct Open {
    call: usize,
    process: Process,
    index: u64,
    /// The invocation's f, when it is not "txn".
    other_f: Option<String>,
    /// The invocation's micro-ops (reads unknown), for a transaction.
    mops: Vec<Mop>,
}

/// Transactions read so far; [`TxnReader::finish`] checks them.
pub struct TxnReader {
    workload: Option<Workload>,
    open: FxHashMap<Process, Open>,
    dead: FxHashMap<Process, u64>,
    calls: usize,
    txns: Vec<Txn>,
    /// The transactions' micro-ops, one after another.
    arena: Vec<Mop>,
    keys: Interner,
    values: Interner,
    lists: Lists,
    /// A list being read, reused.
    scratch: Vec<u32>,
    skipped: usize,
    /// First transactions (by position in `txns`) seen appending and writing.
    first_append: Option<usize>,
    first_write: Option<usize>,
    list_read: bool,
}

impl TxnReader {
    /// A reader; `workload` forces the workload instead of detecting it.
    pub fn new(workload: Option<Workload>) -> TxnReader {
        TxnReader {
            workload,
            open: FxHashMap::default(),
            dead: FxHashMap::default(),
            calls: 0,
            txns: Vec::new(),
            arena: Vec::new(),
            keys: Interner::default(),
            values: Interner::default(),
            lists: Lists::default(),
            scratch: Vec::new(),
            skipped: 0,
            first_append: None,
            first_write: None,
            list_read: false,
        }
    }

    /// Reads one op (in history order).
    pub fn push(&mut self, op: &Op) -> Result<(), CheckError> {
        if op.process == Process::Nemesis {
            return Ok(());
        }
        let at = Location::default();
        if op.kind == OpType::Invoke {
            if let Some(o) = self.open.get(&op.process) {
                return Err(HistoryError::DoubleInvoke {
                    at,
                    process: op.process,
                    index: op.index,
                    open: o.index,
                }
                .into());
            }
            if let Some(&info) = self.dead.get(&op.process) {
                return Err(HistoryError::InvokeAfterInfo {
                    at,
                    process: op.process,
                    index: op.index,
                    info,
                }
                .into());
            }
            let call = self.calls;
            self.calls += 1;
            let txn = op.f == "txn";
            let mut mops = Vec::new();
            if txn {
                self.mops(op, call, op.index, false, &mut mops)?;
            }
            self.open.insert(
                op.process,
                Open {
                    call,
                    process: op.process,
                    index: op.index,
                    other_f: (!txn).then(|| op.f.clone()),
                    mops,
                },
            );
            return Ok(());
        }
        let Some(o) = self.open.remove(&op.process) else {
            return Err(HistoryError::CompletionWithoutInvoke {
                at,
                kind: op.kind,
                process: op.process,
                index: op.index,
            }
            .into());
        };
        let expected = o.other_f.as_deref().unwrap_or("txn");
        if expected != op.f {
            return Err(HistoryError::MismatchedCompletion {
                at,
                kind: op.kind,
                process: op.process,
                index: op.index,
                expected: expected.to_string(),
                got: op.f.clone(),
            }
            .into());
        }
        let outcome = match op.kind {
            OpType::Ok => Outcome::Ok,
            OpType::Fail => Outcome::Fail,
            _ => {
                self.dead.insert(op.process, op.index);
                Outcome::Info
            }
        };
        if o.other_f.is_some() {
            self.skipped += 1;
            return Ok(());
        }
        let start = self.arena.len();
        if outcome == Outcome::Ok {
            let mut arena = std::mem::take(&mut self.arena);
            let read = self.mops(op, o.call, o.index, true, &mut arena);
            self.arena = arena;
            read?;
        } else {
            self.arena.extend_from_slice(&o.mops);
        }
        self.add(Txn {
            call: o.call,
            process: op.process,
            outcome,
            invoke_index: o.index,
            complete_index: Some(op.index),
            mops: start..self.arena.len(),
        });
        Ok(())
    }

    /// Reads every op of `history`.
    pub fn push_history(&mut self, history: &History) -> Result<(), CheckError> {
        history.ops.iter().try_for_each(|op| self.push(op))
    }

    fn add(&mut self, txn: Txn) {
        let t = self.txns.len();
        for m in &self.arena[txn.mops.clone()] {
            match m {
                Mop::Append { .. } => self.first_append = self.first_append.or(Some(t)),
                Mop::Write { .. } => self.first_write = self.first_write.or(Some(t)),
                Mop::Read {
                    value: RawRead::List(_),
                    ..
                } => self.list_read = true,
                _ => {}
            }
        }
        self.txns.push(txn);
    }

    fn mops(
        &mut self,
        op: &Op,
        call: usize,
        index: u64,
        known: bool,
        out: &mut Vec<Mop>,
    ) -> Result<(), CheckError> {
        let bad = |message: String| CheckError::BadCall {
            call,
            index,
            process: op.process,
            message,
        };
        let mops = op.value.as_array().ok_or_else(|| {
            bad(format!(
                "op {}: expected a transaction (a list of micro-ops), found {}",
                op.index, op.value
            ))
        })?;
        out.reserve(mops.len());
        for m in mops {
            let Some([Value::String(f), k, v]) = m.as_array().map(Vec::as_slice) else {
                return Err(bad(format!(
                    "op {}: expected a micro-op [f, key, value], found {m}",
                    op.index
                )));
            };
            let key = self.keys.intern(k);
            out.push(match f.as_str() {
                "append" => Mop::Append {
                    key,
                    value: self.values.intern(v),
                },
                "w" | "write" => Mop::Write {
                    key,
                    value: self.values.intern(v),
                },
                "r" | "read" => Mop::Read {
                    key,
                    value: match (known, v) {
                        (false, _) => RawRead::Unknown,
                        (true, Value::Null) => RawRead::Nil,
                        (true, Value::Array(xs)) => {
                            self.scratch.clear();
                            for x in xs {
                                let v = self.values.intern(x);
                                self.scratch.push(v);
                            }
                            RawRead::List(self.lists.add(key, &self.scratch))
                        }
                        (true, x) => RawRead::Scalar(self.values.intern(x)),
                    },
                },
                other => {
                    return Err(bad(format!(
                        "op {}: unknown micro-op {other:?}; expected append, r or w",
                        op.index
                    )))
                }
            });
        }
        Ok(())
    }

    /// The transactions read, with their workload decided and their reads taken accordingly.
    pub(crate) fn into_txns(mut self) -> Result<Txns, CheckError> {
        let mut pending: Vec<Open> = self.open.drain().map(|(_, o)| o).collect();
        pending.sort_by_key(|o| o.call);
        for o in pending.into_iter().filter(|o| o.other_f.is_none()) {
            let start = self.arena.len();
            self.arena.extend_from_slice(&o.mops);
            self.add(Txn {
                call: o.call,
                process: o.process,
                outcome: Outcome::Info,
                invoke_index: o.index,
                complete_index: None,
                mops: start..self.arena.len(),
            });
        }
        let workload = match (self.workload, self.first_append, self.first_write) {
            (Some(w), _, _) => w,
            (None, Some(a), Some(w)) => {
                let (ta, tw) = (&self.txns[a], &self.txns[w]);
                let later = if ta.call > tw.call { ta } else { tw };
                return Err(later.bad_call(format!(
                    "the history mixes appends (op {}) and register writes (op {}); \
                     a transactional history is list-append or rw-register, not both",
                    ta.invoke_index, tw.invoke_index
                )));
            }
            (None, None, Some(_)) => Workload::RwRegister,
            (None, Some(_), None) => Workload::ListAppend,
            (None, None, None) if self.list_read => Workload::ListAppend,
            (None, None, None) => Workload::RwRegister,
        };
        for t in 0..self.txns.len() {
            for m in self.txns[t].mops.clone() {
                let done = self
                    .settle(self.arena[m].clone(), workload)
                    .map_err(|message| self.txns[t].bad_call(message))?;
                self.arena[m] = done;
            }
        }
        Ok(Txns {
            workload,
            txns: self.txns,
            arena: self.arena,
            keys: self.keys,
            values: self.values,
            lists: self.lists,
            skipped: self.skipped,
        })
    }

    /// A micro-op as `workload` takes it.
    fn settle(&mut self, mop: Mop, workload: Workload) -> Result<Mop, String> {
        Ok(match (workload, mop) {
            (Workload::ListAppend, Mop::Read { key, value }) => Mop::ReadList {
                key,
                value: match value {
                    RawRead::Unknown => None,
                    RawRead::Nil => Some(ListRef::Prefix(0)),
                    RawRead::List(r) => Some(r),
                    RawRead::Scalar(v) => {
                        return Err(format!(
                            "a list-append read returns a list or null, found {}",
                            self.values.atom(v)
                        ))
                    }
                },
            },
            (Workload::RwRegister, Mop::Read { key, value }) => Mop::ReadRegister {
                key,
                value: match value {
                    RawRead::Unknown => None,
                    RawRead::Nil => Some(None),
                    RawRead::Scalar(v) => Some(Some(v)),
                    RawRead::List(r) => {
                        let list: Vec<Value> = (self.lists.get(key, r).iter())
                            .map(|&x| self.values.atom(x).to_value())
                            .collect();
                        let atom = super::mop::Atom::from_value(&Value::Array(list));
                        Some(Some(self.values.intern_atom(atom)))
                    }
                },
            },
            (Workload::ListAppend, Mop::Write { .. }) => {
                return Err("a write (w) in a list-append transaction".to_string())
            }
            (Workload::RwRegister, Mop::Append { .. }) => {
                return Err("an append in a rw-register transaction".to_string())
            }
            (_, m) => m,
        })
    }

    /// Checks the transactions read.
    pub fn finish(self, opts: &TxnOptions) -> Result<TxnReport, CheckError> {
        super::check_txns(self.into_txns()?, opts)
    }
}
