//! The multi-register of Knossos: a `txn` of micro-ops `[read k v]` and `[write k v]` applied in
//! order, atomically. A txn is legal iff every read in it sees the current value of its key (a
//! read of `null` saw nothing and constrains nothing, except under etcd semantics where it saw "no
//! value"). Keys absent from the initial map start as `null`. One object: not partitioned.

use super::{observed, Datum, FailSemantics, Inconsistent, Model, Traces};
use crate::CheckError;
use histories::{Call, Outcome};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Registers named by keys, read and written together in transactions.
#[derive(Debug, Clone)]
pub struct MultiRegister {
    /// The initial value of keys named here.
    pub init: BTreeMap<Datum, Datum>,
    /// The initial value of every other key.
    pub default: Datum,
}

/// One micro-op of a txn.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MicroOp {
    /// Read key, observing the value (`None`: unknown).
    Read(Datum, Option<Datum>),
    /// Write the value to the key.
    Write(Datum, Datum),
}

impl MultiRegister {
    /// A multi-register starting from `init`: a JSON object of key -> value (`{"x": 0, "y": 0}`,
    /// other keys starting at `null`), or one value that every key starts with (`0`).
    pub fn from_json(init: &Value) -> MultiRegister {
        match init {
            Value::Object(m) => MultiRegister {
                init: m
                    .iter()
                    .map(|(k, v)| (Datum::from(k.as_str()), Datum::from(v)))
                    .collect(),
                default: Datum::Null,
            },
            other => MultiRegister {
                init: BTreeMap::new(),
                default: Datum::from(other),
            },
        }
    }
}

fn micro_ops(call: &Call, v: &Value, sem: FailSemantics) -> Result<Vec<MicroOp>, CheckError> {
    let bad = || {
        CheckError::bad_call(
            call,
            format!("txn expects [[read|write key value] ...], found {v}"),
        )
    };
    let list = v.as_array().ok_or_else(bad)?;
    list.iter()
        .map(|m| match m.as_array().map(Vec::as_slice) {
            Some([f, k, x]) => match f.as_str() {
                Some("read" | "r") => Ok(MicroOp::Read(
                    Datum::from(k),
                    (!x.is_null() || sem == FailSemantics::Etcd).then(|| Datum::from(x)),
                )),
                Some("write" | "w") => Ok(MicroOp::Write(Datum::from(k), Datum::from(x))),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        })
        .collect()
}

impl Model for MultiRegister {
    type State = Arc<BTreeMap<Datum, Datum>>;
    type Action = Arc<[MicroOp]>;

    fn name(&self) -> &'static str {
        "multi-register"
    }

    fn object(&self) -> &'static str {
        "the registers"
    }

    fn init(&self) -> Self::State {
        Arc::new(self.init.clone())
    }

    fn action(&self, call: &Call, sem: FailSemantics) -> Result<Option<Self::Action>, CheckError> {
        if call.f != "txn" {
            return Err(CheckError::bad_call(
                call,
                format!("the multi-register model knows txn; found {:?}", call.f),
            ));
        }
        if call.outcome == Outcome::Fail {
            return Ok(None);
        }
        let value = observed(call).unwrap_or(&call.argument);
        let mut ops = micro_ops(call, value, sem)?;
        if call.outcome == Outcome::Info {
            ops.retain(|m| matches!(m, MicroOp::Write(..)));
        }
        let useful = ops.iter().any(|m| !matches!(m, MicroOp::Read(_, None)));
        Ok(useful.then(|| ops.into()))
    }

    fn step(
        &self,
        state: &Self::State,
        action: &Self::Action,
    ) -> Result<Self::State, Inconsistent> {
        let mut next: Option<BTreeMap<Datum, Datum>> = None;
        for m in action.iter() {
            let current = next.as_ref().unwrap_or(state);
            match m {
                MicroOp::Read(k, Some(v)) => {
                    if current.get(k).unwrap_or(&self.default) != v {
                        return Err(Inconsistent);
                    }
                }
                MicroOp::Read(_, None) => {}
                MicroOp::Write(k, v) => {
                    next.get_or_insert_with(|| (**state).clone())
                        .insert(k.clone(), v.clone());
                }
            }
        }
        Ok(next.map_or_else(|| state.clone(), Arc::new))
    }

    fn partition(&self, _call: &Call) -> Option<Datum> {
        None
    }

    fn is_read_only(&self, action: &Self::Action) -> bool {
        action.iter().all(|m| matches!(m, MicroOp::Read(..)))
    }

    fn traces(&self, action: &Self::Action) -> Traces {
        let mut t = Traces::default();
        let mut written: Vec<&Datum> = Vec::new();
        for m in action.iter() {
            let pair = |k: &Datum, v: &Datum| Datum::List(vec![k.clone(), v.clone()].into());
            match m {
                MicroOp::Read(k, Some(v)) if !written.contains(&k) => {
                    let initial = self.init.get(k).unwrap_or(&self.default);
                    if v != initial {
                        t.saw.push(Some(pair(k, v)));
                    }
                }
                MicroOp::Read(..) => {}
                MicroOp::Write(k, v) => {
                    written.push(k);
                    t.put.push(pair(k, v));
                }
            }
        }
        t
    }

    fn describe_state(&self, state: &Self::State) -> String {
        let parts: Vec<String> = state.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{{{}}}", parts.join(", "))
    }

    fn describe_action(&self, action: &Self::Action) -> String {
        let parts: Vec<String> = action
            .iter()
            .map(|m| match m {
                MicroOp::Read(k, Some(v)) => format!("read {k}={v}"),
                MicroOp::Read(k, None) => format!("read {k}=?"),
                MicroOp::Write(k, v) => format!("write {k}={v}"),
            })
            .collect();
        format!("txn [{}]", parts.join(", "))
    }
}
