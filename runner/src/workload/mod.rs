//! Workloads: what the clients do. A workload names its operations, draws them (an
//! [`OpSource`](crate::generator::OpSource)), and lists the final reads made on every node after
//! the faults are healed.
//!
//! | workload | ops (f) | key | value |
//! |---|---|---|---|
//! | register | read, write, cas | register key | read: null -> value; write: unique int; cas: [old, new] |
//! | booking | book, cancel, available | room | book/cancel: guest; available: null -> null (free) or the holder |
//! | set | add, read | none | add: unique int; read: null -> sorted list |
//! | append | txn | none | `[["append", k, v], ["r", k, null]]` -> reads filled in |
//! | counter | add, read | none | add: increment; read: null -> value |

mod append;
mod booking;
mod counter;
mod mix;
mod register;
mod set;

pub use mix::Mix;

use crate::generator::{Invocation, OpSource};
use crate::RunError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;

/// The kinds of workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadKind {
    /// Read / write / cas over a few keys; checked for linearizability per key.
    Register,
    /// Book / cancel / available over rooms and guests; checked against the booking model.
    Booking,
    /// Unique adds, then final reads from every node.
    Set,
    /// List-append transactions over a few keys; checked for transactional anomalies.
    Append,
    /// Increments and reads.
    Counter,
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WorkloadKind::Register => "register",
            WorkloadKind::Booking => "booking",
            WorkloadKind::Set => "set",
            WorkloadKind::Append => "append",
            WorkloadKind::Counter => "counter",
        })
    }
}

/// A workload's options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkloadConfig {
    /// Which workload.
    pub kind: WorkloadKind,
    /// Keys (registers, rooms, append keys).
    pub keys: usize,
    /// Guests (booking only).
    pub guests: usize,
    /// Relative weights of the workload's ops by f; empty means the workload's default mix.
    pub mix: BTreeMap<String, u32>,
    /// Most micro-ops in one transaction (append only).
    pub txn_max: usize,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            kind: WorkloadKind::Booking,
            keys: 3,
            guests: 4,
            mix: BTreeMap::new(),
            txn_max: 3,
        }
    }
}

impl WorkloadConfig {
    /// The ops of this workload with their default weights.
    pub fn default_mix(&self) -> &'static [(&'static str, u32)] {
        match self.kind {
            WorkloadKind::Register => &[("read", 2), ("write", 2), ("cas", 1)],
            WorkloadKind::Booking => &[("book", 4), ("cancel", 2), ("available", 4)],
            WorkloadKind::Set => &[("add", 1)],
            WorkloadKind::Append => &[("txn", 1)],
            WorkloadKind::Counter => &[("add", 3), ("read", 1)],
        }
    }

    /// The validated op mix.
    pub fn mix(&self) -> Result<Mix, RunError> {
        let known = self.default_mix();
        for f in self.mix.keys() {
            if !known.iter().any(|(k, _)| k == f) {
                return Err(RunError::UnknownOp {
                    workload: self.kind,
                    f: f.clone(),
                    known: known.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "),
                });
            }
        }
        let weights: Vec<(&'static str, u32)> = known
            .iter()
            .map(|&(f, w)| {
                (
                    f,
                    self.mix
                        .get(f)
                        .copied()
                        .unwrap_or(if self.mix.is_empty() { w } else { 0 }),
                )
            })
            .collect();
        Mix::new(weights).ok_or(RunError::EmptyMix(self.kind))
    }

    /// Checks every option.
    pub fn validate(&self) -> Result<(), RunError> {
        let zero = |what| RunError::Zero {
            workload: self.kind,
            what,
        };
        if self.keys == 0 {
            return Err(zero("keys"));
        }
        if self.kind == WorkloadKind::Booking && self.guests == 0 {
            return Err(zero("guests"));
        }
        if self.kind == WorkloadKind::Append && self.txn_max == 0 {
            return Err(zero("txn_max"));
        }
        self.mix().map(|_| ())
    }

    /// The op source drawing this workload's ops.
    pub fn source(&self) -> Result<Box<dyn OpSource>, RunError> {
        self.validate()?;
        let mix = self.mix()?;
        Ok(match self.kind {
            WorkloadKind::Register => Box::new(register::Registers::new(mix, self.keys)),
            WorkloadKind::Booking => Box::new(booking::Bookings::new(mix, self.keys, self.guests)),
            WorkloadKind::Set => Box::new(set::Adds::new()),
            WorkloadKind::Append => Box::new(append::Appends::new(self.keys, self.txn_max)),
            WorkloadKind::Counter => Box::new(counter::Increments::new(mix)),
        })
    }

    /// The reads made on every node in the final phase, after every fault is healed.
    pub fn final_reads(&self, nodes: usize) -> Vec<Invocation> {
        let mut reads = Vec::new();
        for node in 0..nodes {
            let mut at = |f: &str, key: Option<Value>, value: Value| {
                reads.push(Invocation {
                    f: f.to_string(),
                    key,
                    value,
                    node,
                })
            };
            match self.kind {
                WorkloadKind::Register => {
                    (0..self.keys).for_each(|k| at("read", Some(json!(k)), Value::Null))
                }
                WorkloadKind::Booking => {
                    (0..self.keys).for_each(|k| at("available", Some(json!(k)), Value::Null))
                }
                WorkloadKind::Set | WorkloadKind::Counter => at("read", None, Value::Null),
                WorkloadKind::Append => {
                    let txn: Vec<Value> = (0..self.keys).map(|k| json!(["r", k, null])).collect();
                    at("txn", None, Value::Array(txn))
                }
            }
        }
        reads
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_naming_an_unknown_op_is_refused_with_the_known_ops() {
        let mut c = WorkloadConfig::default();
        c.mix.insert("withdraw".into(), 1);
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("withdraw") && e.contains("book, cancel, available"),
            "{e}"
        );
    }

    #[test]
    fn a_partial_mix_gives_unnamed_ops_weight_zero() {
        let mut c = WorkloadConfig::default();
        c.mix.insert("book".into(), 1);
        let mix = c.mix().unwrap();
        assert_eq!(mix.names(), vec!["book"]);
    }

    #[test]
    fn final_reads_cover_every_key_on_every_node() {
        let c = WorkloadConfig {
            kind: WorkloadKind::Register,
            keys: 4,
            ..WorkloadConfig::default()
        };
        let reads = c.final_reads(3);
        assert_eq!(reads.len(), 12);
        for node in 0..3 {
            for k in 0..4 {
                assert!(reads
                    .iter()
                    .any(|r| r.node == node && r.key == Some(json!(k)) && r.f == "read"));
            }
        }
    }
}
