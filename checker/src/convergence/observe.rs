//! What reads observe and what writes were acknowledged, per kind of replicated state.

use crate::CheckError;
use histories::{Call, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The kind of state the replicas hold, which says how calls are read and which conflict rule
/// lets an acknowledged write be superseded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateKind {
    /// A grow-only set: `add` (value = element), `read` (value = the elements). Nothing
    /// supersedes an add: every acknowledged element must be present.
    Set,
    /// Lists: `txn` calls with `["append", k, v]` and `["r", k, [..]]` micro-ops. Every
    /// acknowledged element must be present in its key's list.
    ListAppend,
    /// Registers, last writer wins: `write` (key, value), `cas` (key, [old, new]), `read` (key,
    /// value). An acknowledged write may be superseded by any write not known to precede it in
    /// real time.
    Register,
    /// A counter: `add` (value = increment, null = 1), `read` (value = the total). Complete when
    /// the total is at least the sum of acknowledged increments.
    Counter,
    /// Rooms: `book`/`cancel` (key = room, value = guest), `available` (key = room, value = null
    /// or the holder). An acknowledged booking may be superseded by a cancellation by its guest
    /// not known to precede it.
    Booking,
}

impl fmt::Display for StateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateKind::Set => "set",
            StateKind::ListAppend => "list-append",
            StateKind::Register => "register",
            StateKind::Counter => "counter",
            StateKind::Booking => "booking",
        })
    }
}

/// One key's state as one read saw it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Observation {
    /// The key (`null` for unkeyed state).
    pub key: Value,
    /// The value: sorted and deduplicated for sets; as read otherwise.
    pub value: Value,
}

fn sorted_set(v: &Value) -> Value {
    match v {
        Value::Array(xs) => {
            let mut xs: Vec<Value> = xs.clone();
            xs.sort_by_key(|x| x.to_string());
            xs.dedup();
            Value::Array(xs)
        }
        other => other.clone(),
    }
}

impl StateKind {
    /// What an ok call observed, if it is a read of this kind of state.
    pub(crate) fn observations(self, call: &Call) -> Result<Vec<Observation>, CheckError> {
        if call.outcome != Outcome::Ok {
            return Ok(Vec::new());
        }
        let key = call.key.clone().unwrap_or(Value::Null);
        let one = |value: Value| {
            Ok(vec![Observation {
                key: key.clone(),
                value,
            }])
        };
        match (self, call.f.as_str()) {
            (StateKind::Set, "read") => one(sorted_set(&call.result)),
            (StateKind::Register | StateKind::Counter, "read") => one(call.result.clone()),
            (StateKind::Booking, "available") => one(call.result.clone()),
            (StateKind::ListAppend, "txn") => {
                let mops = call.result.as_array().ok_or_else(|| {
                    CheckError::bad_call(call, "a transaction's value must be a list of micro-ops")
                })?;
                Ok(mops
                    .iter()
                    .filter_map(|m| match m.as_array().map(Vec::as_slice) {
                        Some([f, k, v]) if f == "r" => Some(Observation {
                            key: k.clone(),
                            value: if v.is_null() {
                                Value::Array(Vec::new())
                            } else {
                                v.clone()
                            },
                        }),
                        _ => None,
                    })
                    .collect())
            }
            _ => Ok(Vec::new()),
        }
    }

    /// The elements an ok call added (set adds, list appends), as (key, element).
    pub(crate) fn elements(self, call: &Call) -> Vec<(Value, Value)> {
        if call.outcome != Outcome::Ok {
            return Vec::new();
        }
        match (self, call.f.as_str()) {
            (StateKind::Set, "add") => vec![(
                call.key.clone().unwrap_or(Value::Null),
                call.argument.clone(),
            )],
            (StateKind::ListAppend, "txn") => call
                .argument
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| match m.as_array().map(Vec::as_slice) {
                    Some([f, k, v]) if f == "append" => Some((k.clone(), v.clone())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}
