//! Mapping one Jepsen op (an EDN map, or a `[process type f value]` tuple) into an [`Op`].
//!
//! `:process`, `:type`, `:f`, `:value`, `:time`, `:index`, `:error`, `:key` and `:node` fill the
//! fields of the same names (`:error nil` and `:key nil` are absent ones); every other key is kept
//! in [`Op::extra`]. An op without `:value` has
//! value null; without `:index`, its position in the file; without `:time`, its index. Ops without
//! `:f` whose value is a list of micro-ops (Elle's paper example) are transactions, `f = "txn"`.

use super::json::{key_name, to_json};
use super::value::Edn;
use crate::{Op, OpType, Process};
use serde_json::{Map, Value};

/// An op read from EDN, and whether its process was given (see
/// [`super::document`] for how missing processes are filled in).
pub struct ImportedOp {
    /// The op; its process is `Client(0)` when none was given.
    pub op: Op,
    /// False when the op had no `:process`.
    pub process_given: bool,
}

/// The op that `value` describes; `position` is its place in the file, from 0.
pub fn op_from_edn(value: &Edn, position: u64) -> Result<ImportedOp, String> {
    match value.untagged() {
        Edn::Map(pairs) => from_map(pairs, position),
        Edn::Vector(items) | Edn::List(items) => from_tuple(items, position),
        other => Err(format!(
            "expected an op: a map such as {{:process 0, :type :invoke, :f :read, :value nil}} or a [process type f value] tuple; found {}",
            other.kind()
        )),
    }
}

fn from_map(pairs: &[(Edn, Edn)], position: u64) -> Result<ImportedOp, String> {
    let mut process = None;
    let mut kind = None;
    let mut f = None;
    let mut value = None;
    let mut time = None;
    let mut index = None;
    let mut error = None;
    let mut key = None;
    let mut node = None;
    let mut extra = Map::new();
    for (k, v) in pairs {
        let name = key_name(k);
        let duplicate = match name.as_str() {
            "process" => process.replace(process_of(v)?).is_some(),
            "type" => kind.replace(type_of(v)?).is_some(),
            "f" => f.replace(f_of(v)?).is_some(),
            "value" => value.replace(to_json(v)).is_some(),
            "time" => time.replace(count_of("time", v)?).is_some(),
            "index" => index.replace(count_of("index", v)?).is_some(),
            "error" => error.replace(optional(v)).is_some(),
            "key" => key.replace(optional(v)).is_some(),
            "node" => node.replace(node_of(v)?).is_some(),
            _ => extra.insert(name.clone(), to_json(v)).is_some(),
        };
        if duplicate {
            return Err(format!("the op map has the key {k} twice"));
        }
    }
    let kind = kind.ok_or("the op map has no :type; expected :invoke, :ok, :fail or :info")?;
    let value = value.unwrap_or(Value::Null);
    let f = match f {
        Some(f) => f,
        None if is_transaction(&value) => "txn".to_string(),
        None => return Err("the op map has no :f (the operation's name, e.g. :read)".into()),
    };
    let index = index.unwrap_or(position);
    let op = Op {
        index,
        time: time.unwrap_or(index),
        process: process.unwrap_or(Process::Client(0)),
        kind,
        f,
        key: key.flatten(),
        value,
        error: error.flatten(),
        node: node.flatten(),
        extra,
    };
    Ok(ImportedOp {
        op,
        process_given: process.is_some(),
    })
}

fn from_tuple(items: &[Edn], position: u64) -> Result<ImportedOp, String> {
    let [process, kind, f, rest @ ..] = items else {
        return Err(format!(
            "expected an op tuple [process type f value]; found {} elements",
            items.len()
        ));
    };
    if rest.len() > 1 {
        return Err(format!(
            "expected an op tuple [process type f value]; found {} elements",
            items.len()
        ));
    }
    let op = Op::new(
        position,
        position,
        process_of(process)?,
        type_of(kind)?,
        &f_of(f)?,
        rest.first().map_or(Value::Null, to_json),
    );
    Ok(ImportedOp {
        op,
        process_given: true,
    })
}

/// The JSON value of `v`, or `None` for `nil` (an absent key or error).
fn optional(v: &Edn) -> Option<Value> {
    match v.untagged() {
        Edn::Nil => None,
        other => Some(to_json(other)),
    }
}

/// A list of micro-ops such as `[[:append 9 2] [:r 8 nil]]`.
fn is_transaction(value: &Value) -> bool {
    match value {
        Value::Array(mops) => !mops.is_empty() && mops.iter().all(Value::is_array),
        _ => false,
    }
}

/// `:process`: a non-negative integer, or `:nemesis`.
pub fn process_of(v: &Edn) -> Result<Process, String> {
    match v.untagged() {
        Edn::Int(p) if *p >= 0 => Ok(Process::Client(*p as u64)),
        Edn::Keyword(k) | Edn::Str(k) if k == "nemesis" => Ok(Process::Nemesis),
        other => Err(format!(
            "expected :process to be a non-negative integer or :nemesis; found {other}"
        )),
    }
}

/// `:type`: one of invoke, ok, fail, info.
pub fn type_of(v: &Edn) -> Result<OpType, String> {
    let name = match v.untagged() {
        Edn::Keyword(k) | Edn::Str(k) | Edn::Symbol(k) => k.as_str(),
        _ => "",
    };
    match name {
        "invoke" => Ok(OpType::Invoke),
        "ok" => Ok(OpType::Ok),
        "fail" => Ok(OpType::Fail),
        "info" => Ok(OpType::Info),
        _ => Err(format!(
            "expected :type to be :invoke, :ok, :fail or :info; found {v}"
        )),
    }
}

/// `:f`: a keyword, string or symbol.
pub fn f_of(v: &Edn) -> Result<String, String> {
    match v.untagged() {
        Edn::Keyword(k) | Edn::Str(k) | Edn::Symbol(k) => Ok(k.clone()),
        other => Err(format!(
            "expected :f to be a keyword or string naming the operation; found {other}"
        )),
    }
}

fn count_of(name: &str, v: &Edn) -> Result<u64, String> {
    match v.untagged() {
        Edn::Int(i) if *i >= 0 => Ok(*i as u64),
        Edn::BigInt(d) => d
            .parse::<u64>()
            .map_err(|_| format!("expected :{name} to fit in 64 bits; found {d}")),
        other => Err(format!(
            "expected :{name} to be a non-negative integer; found {other}"
        )),
    }
}

fn node_of(v: &Edn) -> Result<Option<String>, String> {
    match v.untagged() {
        Edn::Nil => Ok(None),
        Edn::Str(s) | Edn::Keyword(s) | Edn::Symbol(s) => Ok(Some(s.clone())),
        Edn::Int(i) => Ok(Some(i.to_string())),
        other => Err(format!(
            "expected :node to be a string naming a replica; found {other}"
        )),
    }
}
