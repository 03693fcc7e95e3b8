//! Transactions and their micro-ops, read from a history's calls.
//!
//! A transaction is a call whose f is `"txn"` and whose value is a list of micro-ops:
//! `["append", k, v]` and `["r", k, [v1 v2 ...]]` (list-append), or `["w", k, v]` and
//! `["r", k, v]` (rw-register). Keys and values are any JSON values (Jepsen keywords arrive as
//! strings). An ok transaction's micro-ops are taken from its completion, whose reads carry what
//! was read (a list-append read of `null` is the empty list; a register read of `null` is the
//! initial, never-written state); a failed or indeterminate transaction's from its invocation,
//! whose reads are unknown.

use crate::CheckError;
use histories::{Outcome, Process};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Which transactional workload a history holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// Appends of unique elements to lists, and reads of whole lists.
    ListAppend,
    /// Writes of unique values to registers, and reads of single values.
    RwRegister,
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Workload::ListAppend => "list-append",
            Workload::RwRegister => "rw-register",
        })
    }
}

/// A key or a value of a micro-op, in a form that can be hashed and compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// An integer.
    Int(i64),
    /// A string (Jepsen keywords are imported as strings).
    Text(String),
    /// Any other JSON value, as its compact JSON text.
    Other(String),
}

impl Atom {
    /// The atom for a JSON value.
    pub fn from_value(v: &Value) -> Atom {
        match v {
            Value::Number(n) if n.is_i64() => Atom::Int(n.as_i64().unwrap_or_default()),
            Value::String(s) => Atom::Text(s.clone()),
            other => Atom::Other(other.to_string()),
        }
    }

    /// The JSON value of this atom.
    pub fn to_value(&self) -> Value {
        match self {
            Atom::Int(i) => Value::from(*i),
            Atom::Text(s) => Value::String(s.clone()),
            Atom::Other(s) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
        }
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Int(i) => write!(f, "{i}"),
            Atom::Text(s) => f.write_str(s),
            Atom::Other(s) => f.write_str(s),
        }
    }
}

impl Serialize for Atom {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

/// Integers below this are looked up in a table instead of hashed (keys and elements are most
/// often small integers).
const SMALL: u64 = 1 << 20;

/// Numbers atoms densely, so that the analysis works on `u32`s.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    ids: FxHashMap<Atom, u32>,
    atoms: Vec<Atom>,
    /// By small non-negative integer, its id plus one (0: not yet numbered).
    small: Vec<u32>,
}

impl Interner {
    pub(crate) fn intern(&mut self, v: &Value) -> u32 {
        match v.as_u64() {
            Some(i) if i < SMALL => self.intern_small(i as usize),
            _ => self.intern_atom(Atom::from_value(v)),
        }
    }

    fn intern_small(&mut self, i: usize) -> u32 {
        if let Some(&id) = self.small.get(i).filter(|&&id| id != 0) {
            return id - 1;
        }
        let id = self.intern_hashed(Atom::Int(i as i64));
        if self.small.len() <= i {
            self.small.resize(i + 1, 0);
        }
        self.small[i] = id + 1;
        id
    }

    pub(crate) fn intern_atom(&mut self, atom: Atom) -> u32 {
        match atom {
            Atom::Int(i) if (0..SMALL as i64).contains(&i) => self.intern_small(i as usize),
            atom => self.intern_hashed(atom),
        }
    }

    fn intern_hashed(&mut self, atom: Atom) -> u32 {
        if let Some(&id) = self.ids.get(&atom) {
            return id;
        }
        let id = self.atoms.len() as u32;
        self.atoms.push(atom.clone());
        self.ids.insert(atom, id);
        id
    }

    /// The atom numbered `id`.
    pub(crate) fn atom(&self, id: u32) -> &Atom {
        &self.atoms[id as usize]
    }

    /// How many distinct atoms there are.
    pub(crate) fn len(&self) -> usize {
        self.atoms.len()
    }
}

/// A list a read returned, as [`Lists`] keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListRef {
    /// The first this many elements of its key's chain.
    Prefix(u32),
    /// List number this of those that fit no chain.
    Apart(u32),
}

/// The lists that reads returned, stored compactly. Per key, a chain: the longest list read so
/// far of which every earlier read of the key is a prefix. A read that is a prefix of its key's
/// chain, or that extends it (the chain becomes the read), is kept as its length; any other (a
/// read incompatible with an earlier one) as its own elements, apart. Lists only grow by being
/// extended, so a prefix stays a prefix: every read is returned exactly as it was read, while a
/// history whose reads agree (as they should) costs a few bytes per read however long its lists.
#[derive(Debug, Default)]
pub(crate) struct Lists {
    chains: Vec<Vec<u32>>,
    apart: Vec<Vec<u32>>,
}

impl Lists {
    /// Keeps `list`, read at `key`.
    pub(crate) fn add(&mut self, key: u32, list: &[u32]) -> ListRef {
        let k = key as usize;
        if self.chains.len() <= k {
            self.chains.resize_with(k + 1, Vec::new);
        }
        let chain = &mut self.chains[k];
        if chain.starts_with(list) {
            return ListRef::Prefix(list.len() as u32);
        }
        if list.starts_with(chain) && u32::try_from(list.len()).is_ok() {
            chain.extend_from_slice(&list[chain.len()..]);
            return ListRef::Prefix(list.len() as u32);
        }
        self.apart.push(list.to_vec());
        ListRef::Apart(self.apart.len() as u32 - 1)
    }

    /// The list kept as `r` for `key`.
    pub(crate) fn get(&self, key: u32, r: ListRef) -> &[u32] {
        match r {
            ListRef::Prefix(0) => &[],
            ListRef::Prefix(n) => &self.chains[key as usize][..n as usize],
            ListRef::Apart(i) => &self.apart[i as usize],
        }
    }
}

/// One micro-op, with keys and values interned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mop {
    /// Append `value` to the list at `key`.
    Append { key: u32, value: u32 },
    /// Set the register at `key` to `value`.
    Write { key: u32, value: u32 },
    /// Read the list at `key` (kept in [`Txns::lists`]); `None` when unknown (a read of a failed
    /// or indeterminate txn).
    ReadList { key: u32, value: Option<ListRef> },
    /// Read the register at `key`: `None` when unknown, `Some(None)` for the initial state.
    ReadRegister {
        key: u32,
        value: Option<Option<u32>>,
    },
    /// A read as first seen, before the workload is known (only inside the reader).
    Read { key: u32, value: RawRead },
}

/// What a read returned, before the workload says how to take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawRead {
    /// Not known (the read of a failed or indeterminate transaction).
    Unknown,
    /// `null`: the empty list, or a register's initial state.
    Nil,
    /// A list (kept in the reader's [`Lists`]).
    List(ListRef),
    /// Any other value.
    Scalar(u32),
}

/// One transaction: a call of f `"txn"`.
#[derive(Debug, Clone)]
pub(crate) struct Txn {
    /// The call's id (its position among the history's calls).
    pub call: usize,
    /// The process that ran it.
    pub process: Process,
    /// Committed (ok), aborted (fail) or maybe committed (info).
    pub outcome: Outcome,
    /// Index of the invocation op.
    pub invoke_index: u64,
    /// Index of the completion op, if any.
    pub complete_index: Option<u64>,
    /// Where its micro-ops are in [`Txns::arena`]: the completion's for an ok txn, the
    /// invocation's otherwise.
    pub mops: std::ops::Range<usize>,
}

impl Txn {
    /// A [`CheckError::BadCall`] about this transaction: its call, invocation and process, with
    /// `message` saying what is wrong.
    pub(crate) fn bad_call(&self, message: String) -> CheckError {
        CheckError::BadCall {
            call: self.call,
            index: self.invoke_index,
            process: self.process,
            message,
        }
    }
}

/// The transactions of a history, with their keys and values interned.
#[derive(Debug)]
pub(crate) struct Txns {
    pub workload: Workload,
    pub txns: Vec<Txn>,
    /// Every transaction's micro-ops, one after another.
    pub arena: Vec<Mop>,
    pub keys: Interner,
    pub values: Interner,
    /// The lists that reads returned.
    pub lists: Lists,
    /// Calls that were not transactions (f other than "txn"), which the checker ignores.
    pub skipped: usize,
}

impl Txns {
    /// Transaction `t` as reports name it.
    pub(crate) fn txn_ref(&self, t: u32) -> super::txn_ref::TxnRef {
        let txn = &self.txns[t as usize];
        super::txn_ref::TxnRef {
            index: txn.invoke_index,
            complete_index: txn.complete_index,
            process: txn.process,
            outcome: txn.outcome,
            mops: self.mops_json(t as usize),
        }
    }

    /// A [`CheckError::BadCall`] about transaction `t`.
    pub(crate) fn bad(&self, t: usize, message: String) -> CheckError {
        self.txns[t].bad_call(message)
    }

    /// The micro-ops of transaction `t`.
    pub(crate) fn mops(&self, t: usize) -> &[Mop] {
        &self.arena[self.txns[t].mops.clone()]
    }

    /// The list that a read of `key` returned.
    pub(crate) fn list(&self, key: u32, r: ListRef) -> &[u32] {
        self.lists.get(key, r)
    }

    /// The key numbered `k`.
    pub(crate) fn key(&self, k: u32) -> Atom {
        self.keys.atom(k).clone()
    }

    /// The value numbered `v`.
    pub(crate) fn val(&self, v: u32) -> Atom {
        self.values.atom(v).clone()
    }

    /// The values numbered `vs`.
    pub(crate) fn vals(&self, vs: &[u32]) -> Vec<Atom> {
        vs.iter().map(|&v| self.val(v)).collect()
    }

    /// The micro-ops of transaction `t` as JSON, as a report shows them (`[["append", 9, 2]]`).
    pub(crate) fn mops_json(&self, t: usize) -> Value {
        let key = |k: u32| self.keys.atom(k).to_value();
        let val = |v: u32| self.values.atom(v).to_value();
        let mops = self.mops(t).iter().map(|m| match m {
            Mop::Append { key: k, value } => serde_json::json!(["append", key(*k), val(*value)]),
            Mop::Write { key: k, value } => serde_json::json!(["w", key(*k), val(*value)]),
            Mop::ReadList { key: k, value } => serde_json::json!([
                "r",
                key(*k),
                value.map(|r| Value::Array(self.list(*k, r).iter().map(|x| val(*x)).collect()))
            ]),
            Mop::ReadRegister { key: k, value } => {
                serde_json::json!(["r", key(*k), value.flatten().map(val)])
            }
            Mop::Read { key: k, .. } => serde_json::json!(["r", key(*k), null]),
        });
        Value::Array(mops.collect())
    }
}
