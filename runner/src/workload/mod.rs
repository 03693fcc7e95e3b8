//! Workloads: what the clients do. Each workload is one [`Workload`] descriptor in its own file:
//! its typed [`Operation`]s and their default mix, the seeded source that draws them, the final
//! reads made on every node after the faults are healed, and the checkers that judge its
//! history. Nothing else in the runner knows a workload's operations.
//!
//! | workload | ops (mix names) | checked by |
//! |---|---|---|
//! | register | read, write, cas | linearizability (cas-register) per key, convergence |
//! | booking | book, cancel, available | linearizability (booking model), booking invariants, convergence |
//! | set | add (reads come at the end) | linearizability (set), set-full invariants, convergence |
//! | append | txn (list-append) | transactional anomalies (Elle) against `consistency_model`, convergence |
//! | counter | add, read | linearizability (counter), counter invariants, convergence |
//! | rw-register | txn (reads, writes) | transactional anomalies (Elle) against `consistency_model` |
//! | bank | transfer, read | bank invariants (total, negative balances, possible balances) |
//!
//! How each operation is written in a history: [`operation`].

mod append;
mod bank;
mod booking;
mod counter;
mod mix;
pub mod operation;
mod register;
mod rw_register;
mod set;

pub use bank::bank_options;
pub use mix::Mix;
pub use operation::{BankOp, BookingOp, CounterOp, MicroOp, Operation, RegisterOp, SetOp};

use crate::RunError;
use checker::txn::ConsistencyModel;
use checker::Compose;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// The kinds of workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
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
    /// Read / write transactions over a few keys; checked for transactional anomalies.
    RwRegister,
    /// Transfers between accounts and reads of every balance; checked for the bank's invariants.
    Bank,
}

impl WorkloadKind {
    /// Every workload.
    pub const ALL: [WorkloadKind; 7] = [
        WorkloadKind::Register,
        WorkloadKind::Booking,
        WorkloadKind::Set,
        WorkloadKind::Append,
        WorkloadKind::Counter,
        WorkloadKind::RwRegister,
        WorkloadKind::Bank,
    ];

    /// Its descriptor.
    pub fn workload(self) -> &'static dyn Workload {
        match self {
            WorkloadKind::Register => &register::RegisterWorkload,
            WorkloadKind::Booking => &booking::BookingWorkload,
            WorkloadKind::Set => &set::SetWorkload,
            WorkloadKind::Append => &append::AppendWorkload,
            WorkloadKind::Counter => &counter::CounterWorkload,
            WorkloadKind::RwRegister => &rw_register::RwRegisterWorkload,
            WorkloadKind::Bank => &bank::BankWorkload,
        }
    }

    /// Its name in configs and histories.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Register => "register",
            WorkloadKind::Booking => "booking",
            WorkloadKind::Set => "set",
            WorkloadKind::Append => "append",
            WorkloadKind::Counter => "counter",
            WorkloadKind::RwRegister => "rw-register",
            WorkloadKind::Bank => "bank",
        }
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A workload's choice of operations: which comes next, drawn from the seeded random number
/// generator it is given. Values that must be unique (writes, adds, appends) are unique across
/// the whole run.
pub trait OpSource: Send {
    /// The next operation.
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> Operation;
}

/// One workload, in one place.
pub trait Workload: Sync {
    /// Which workload this is.
    fn kind(&self) -> WorkloadKind;

    /// Its operations by mix name, with their default weights.
    fn ops(&self) -> &'static [(&'static str, u32)];

    /// The model its history header names (what `rift check` checks it against).
    fn model(&self) -> &'static str;

    /// The model's initial value when it is not the model's default, written to the history's
    /// header as `init` so that `rift check` of the history starts from the same state.
    fn init(&self, _config: &WorkloadConfig) -> Option<serde_json::Value> {
        None
    }

    /// Checks the options this workload uses.
    fn validate(&self, config: &WorkloadConfig) -> Result<(), RunError>;

    /// The seeded source of its operations, drawing op names from `mix`.
    fn source(&self, config: &WorkloadConfig, mix: Mix) -> Box<dyn OpSource>;

    /// The reads made on every node in the final phase, after every fault is healed.
    fn final_reads(&self, config: &WorkloadConfig) -> Vec<Operation>;

    /// Whether a final read returns a set (an array whose order means nothing), so that two
    /// nodes agree whatever order they return its elements in.
    fn reads_sets(&self) -> bool {
        false
    }

    /// The checkers of its history, each allowed `limit` before its verdict is Unknown.
    fn checkers(&self, config: &WorkloadConfig, limit: Duration) -> Compose;
}

/// A workload's options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkloadConfig {
    /// Which workload; when absent, the first the system under test has.
    pub kind: Option<WorkloadKind>,
    /// Keys (registers, rooms, append keys).
    pub keys: usize,
    /// Guests (booking only).
    pub guests: usize,
    /// Relative weights of the workload's ops by name; empty means the workload's default mix.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub mix: BTreeMap<String, u32>,
    /// Most micro-ops in one transaction (append, rw-register).
    pub txn_max: usize,
    /// The consistency model transactional histories are judged against (append, rw-register;
    /// bank: whether reads are bound by real time).
    pub consistency_model: ConsistencyModel,
    /// Each account's balance before the first transfer (bank; accounts are `0..keys`).
    pub balance: i64,
    /// Whether a transfer may overdraw an account (bank): when false, the system refuses one
    /// and the checker flags any balance below zero.
    pub negative_balances: bool,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            kind: None,
            keys: 3,
            guests: 4,
            mix: BTreeMap::new(),
            txn_max: 3,
            consistency_model: ConsistencyModel::StrictSerializable,
            balance: 10,
            negative_balances: false,
        }
    }
}

impl WorkloadConfig {
    /// The workload's descriptor; the config must have been completed with a kind (see
    /// [`crate::run::RunConfig::resolve`]).
    pub fn workload(&self) -> Result<&'static dyn Workload, RunError> {
        self.kind
            .map(WorkloadKind::workload)
            .ok_or(RunError::Invalid {
                option: "workload",
                message: "no workload was chosen".into(),
            })
    }

    /// The validated op mix.
    pub fn mix(&self) -> Result<Mix, RunError> {
        let workload = self.workload()?;
        let known = workload.ops();
        for f in self.mix.keys() {
            if !known.iter().any(|(k, _)| k == f) {
                return Err(RunError::UnknownOp {
                    workload: workload.kind(),
                    f: f.clone(),
                    known: known.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "),
                });
            }
        }
        let weights: Vec<(&'static str, u32)> = known
            .iter()
            .map(|&(f, w)| {
                let given = self.mix.get(f).copied();
                (f, given.unwrap_or(if self.mix.is_empty() { w } else { 0 }))
            })
            .collect();
        Mix::new(weights).ok_or(RunError::EmptyMix(workload.kind()))
    }

    /// Checks every option.
    pub fn validate(&self) -> Result<(), RunError> {
        let workload = self.workload()?;
        if self.keys == 0 {
            return Err(RunError::Zero {
                workload: workload.kind(),
                what: "keys",
            });
        }
        workload.validate(self)?;
        self.mix().map(|_| ())
    }

    /// The op source drawing this workload's ops.
    pub fn source(&self) -> Result<Box<dyn OpSource>, RunError> {
        self.validate()?;
        Ok(self.workload()?.source(self, self.mix()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(kind: WorkloadKind) -> WorkloadConfig {
        WorkloadConfig {
            kind: Some(kind),
            ..WorkloadConfig::default()
        }
    }

    #[test]
    fn a_mix_naming_an_unknown_op_is_refused_with_the_known_ops() {
        let mut c = config(WorkloadKind::Booking);
        c.mix.insert("withdraw".into(), 1);
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("withdraw") && e.contains("book, cancel, available"),
            "{e}"
        );
    }

    #[test]
    fn a_partial_mix_gives_unnamed_ops_weight_zero() {
        let mut c = config(WorkloadKind::Booking);
        c.mix.insert("book".into(), 1);
        assert_eq!(c.mix().unwrap().names(), vec!["book"]);
    }

    #[test]
    fn every_workload_reads_every_key_in_its_final_reads() {
        let c = WorkloadConfig {
            keys: 4,
            ..config(WorkloadKind::Register)
        };
        let reads = c.workload().unwrap().final_reads(&c);
        let keys: Vec<_> = reads.iter().map(Operation::key).collect();
        assert_eq!(
            keys,
            (0..4u64)
                .map(|k| Some(serde_json::json!(k)))
                .collect::<Vec<_>>()
        );
        assert!(reads.iter().all(|r| r.f() == "read"));
        for kind in WorkloadKind::ALL {
            let c = config(kind);
            assert!(!kind.workload().final_reads(&c).is_empty(), "{kind}");
            assert_eq!(kind.workload().kind(), kind);
        }
    }

    #[test]
    fn a_config_without_a_workload_is_refused_until_one_is_chosen() {
        let e = WorkloadConfig::default()
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.contains("no workload"), "{e}");
    }
}
