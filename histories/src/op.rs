//! One event of a history.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// What an event says about its call, with Jepsen's meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpType {
    /// The call was sent.
    Invoke,
    /// The call completed and took effect.
    Ok,
    /// The call completed and definitely did not take effect.
    Fail,
    /// The call's outcome is unknown: it may have taken effect at any time after its invocation,
    /// or never. On the nemesis, an info op is a fault event.
    Info,
}

impl fmt::Display for OpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OpType::Invoke => "invoke",
            OpType::Ok => "ok",
            OpType::Fail => "fail",
            OpType::Info => "info",
        })
    }
}

/// Who performed an op: a numbered client process, or the fault injector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Process {
    /// A client process. A process has at most one open call, and is never reused after an info.
    Client(u64),
    /// The nemesis, which injects faults; its ops are recorded but never paired into calls.
    Nemesis,
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Process::Client(p) => write!(f, "{p}"),
            Process::Nemesis => f.write_str("nemesis"),
        }
    }
}

impl Serialize for Process {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Process::Client(p) => s.serialize_u64(*p),
            Process::Nemesis => s.serialize_str("nemesis"),
        }
    }
}

impl<'de> Deserialize<'de> for Process {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Process;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer process id or \"nemesis\"")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Process, E> {
                Ok(Process::Client(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Process, E> {
                u64::try_from(v)
                    .map(Process::Client)
                    .map_err(|_| E::custom(format!("negative process id {v}")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Process, E> {
                if v == "nemesis" {
                    Ok(Process::Nemesis)
                } else {
                    Err(E::custom(format!(
                        "unknown process {v:?}; expected an integer or \"nemesis\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// One event of a history.
///
/// Serialised as one flat JSON object (extra keys beside the named fields); read back by the
/// hand-written `Deserialize` in `op_de.rs`.
///
/// `f` names the operation (read, write, cas, get, put, append, add, txn, book, cancel, ...);
/// `value` is its argument on an invoke and its result on a completion, as in Jepsen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Op {
    /// Position in the history, from 0, strictly increasing.
    pub index: u64,
    /// Nanoseconds since the start of the run, on a monotonic clock. Imported histories without
    /// times get their index here, so that time order is event order.
    pub time: u64,
    /// Who performed it.
    pub process: Process,
    /// Invoke, ok, fail or info.
    #[serde(rename = "type")]
    pub kind: OpType,
    /// The operation's name.
    pub f: String,
    /// The key the operation is about, for keyed workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Value>,
    /// The argument (invoke) or the result (completion). `null` when unknown.
    #[serde(default)]
    pub value: Value,
    /// The error a completion carries, if any (e.g. `"timed-out"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// The replica that served the call, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Any other keys the source carried, kept so that exports lose nothing.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Op {
    /// A new op with no key, error, node or extra keys.
    pub fn new(index: u64, time: u64, process: Process, kind: OpType, f: &str, value: Value) -> Op {
        Op {
            index,
            time,
            process,
            kind,
            f: f.to_string(),
            key: None,
            value,
            error: None,
            node: None,
            extra: Map::new(),
        }
    }

    /// This op with the given key.
    pub fn with_key(mut self, key: Value) -> Op {
        self.key = Some(key);
        self
    }
}
