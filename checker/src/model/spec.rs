//! Naming a model and its options, as the command line and history headers do.

use super::{counter::Counter, multi_register::MultiRegister, register::Register, Datum};
use crate::CheckError;
use serde::Serialize;
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// What a failed op means. Real corpora use two conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailSemantics {
    /// Jepsen/Knossos (the default): a fail op had no effect and is dropped; a read of `null`
    /// observed nothing and constrains nothing.
    #[default]
    Knossos,
    /// etcd-style logs: a failed cas is a completed cas that found a value other than `old`; a read
    /// of `null` observed "no value"; a failed op that timed out tells nothing.
    Etcd,
}

impl FromStr for FailSemantics {
    type Err = CheckError;
    fn from_str(s: &str) -> Result<Self, CheckError> {
        match s {
            "knossos" | "jepsen" => Ok(FailSemantics::Knossos),
            "etcd" => Ok(FailSemantics::Etcd),
            _ => Err(CheckError::Model(format!(
                "unknown fail semantics {s:?}; expected knossos or etcd"
            ))),
        }
    }
}

/// The models rift knows, by command-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// read/write.
    Register,
    /// read/write/cas; per key when calls carry keys (also named `kv`).
    CasRegister,
    /// txn of reads and writes over several registers.
    MultiRegister,
    /// acquire/release.
    Mutex,
    /// Porcupine's get/put/append on strings, per key.
    AppendKv,
    /// add/read.
    Set,
    /// add/read.
    Counter,
    /// book/cancel/available per room.
    Booking,
}

impl ModelKind {
    /// Every model, in the order `--help` lists them.
    pub const ALL: [ModelKind; 8] = [
        ModelKind::Register,
        ModelKind::CasRegister,
        ModelKind::MultiRegister,
        ModelKind::Mutex,
        ModelKind::AppendKv,
        ModelKind::Set,
        ModelKind::Counter,
        ModelKind::Booking,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Register => "register",
            ModelKind::CasRegister => "cas-register",
            ModelKind::MultiRegister => "multi-register",
            ModelKind::Mutex => "mutex",
            ModelKind::AppendKv => "append-kv",
            ModelKind::Set => "set",
            ModelKind::Counter => "counter",
            ModelKind::Booking => "booking",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = CheckError;
    fn from_str(s: &str) -> Result<Self, CheckError> {
        if s == "kv" {
            return Ok(ModelKind::CasRegister);
        }
        ModelKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ModelKind::ALL.iter().map(|k| k.name()).collect();
                CheckError::Model(format!(
                    "unknown model {s:?}; expected one of {}, or kv",
                    names.join(", ")
                ))
            })
    }
}

/// A model and its initial value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSpec {
    /// Which model.
    pub kind: ModelKind,
    /// The initial value; `None` for the default (see [`ModelSpec::default_init`]).
    pub init: Option<Value>,
}

impl ModelSpec {
    /// This model with its default initial value.
    pub fn new(kind: ModelKind) -> ModelSpec {
        ModelSpec { kind, init: None }
    }

    /// The initial value used when none is given: registers start at 0 (as Knossos' tests assume)
    /// under Knossos semantics and at `null` ("no value", as an absent etcd key) under etcd
    /// semantics; every key of a multi-register starts at 0; a counter at 0. Other models have a
    /// fixed initial state (free mutex, empty strings, empty set, free rooms).
    pub fn default_init(kind: ModelKind, semantics: FailSemantics) -> Value {
        match (kind, semantics) {
            (ModelKind::Register | ModelKind::CasRegister, FailSemantics::Etcd) => Value::Null,
            (
                ModelKind::Register
                | ModelKind::CasRegister
                | ModelKind::MultiRegister
                | ModelKind::Counter,
                _,
            ) => Value::from(0),
            _ => Value::Null,
        }
    }

    /// The initial value in force.
    pub fn init_value(&self, semantics: FailSemantics) -> Value {
        self.init
            .clone()
            .unwrap_or_else(|| ModelSpec::default_init(self.kind, semantics))
    }

    /// A register model, when this is one.
    pub fn register(&self, semantics: FailSemantics) -> Option<Register> {
        let init = Datum::from(&self.init_value(semantics));
        match self.kind {
            ModelKind::Register => Some(Register::plain(init)),
            ModelKind::CasRegister => Some(Register::with_cas(init)),
            _ => None,
        }
    }

    /// The multi-register model.
    pub fn multi_register(&self, semantics: FailSemantics) -> MultiRegister {
        MultiRegister::from_json(&self.init_value(semantics))
    }

    /// The counter model.
    pub fn counter(&self, semantics: FailSemantics) -> Result<Counter, CheckError> {
        let v = self.init_value(semantics);
        let init = v.as_i64().ok_or_else(|| {
            CheckError::Model(format!("a counter starts at an integer; found {v}"))
        })?;
        Ok(Counter { init })
    }
}
