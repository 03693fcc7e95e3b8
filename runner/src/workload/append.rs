//! The list-append workload (Elle's): transactions of appends (unique values) and reads over a
//! few keys, checked for transactional anomalies against the config's consistency model (strict
//! serializability unless it names another) and for convergence.

use super::{MicroOp, Mix, OpSource, Operation, Workload, WorkloadConfig, WorkloadKind};
use crate::RunError;
use checker::convergence::{ConvergenceOptions, StateKind};
use checker::txn::TxnOptions;
use checker::{checkers, Compose};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The list-append workload's descriptor.
pub struct AppendWorkload;

impl Workload for AppendWorkload {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Append
    }

    fn ops(&self) -> &'static [(&'static str, u32)] {
        &[("txn", 1)]
    }

    fn model(&self) -> &'static str {
        "list-append"
    }

    fn validate(&self, config: &WorkloadConfig) -> Result<(), RunError> {
        if config.txn_max == 0 {
            return Err(RunError::Zero {
                workload: WorkloadKind::Append,
                what: "txn_max",
            });
        }
        Ok(())
    }

    fn source(&self, config: &WorkloadConfig, _mix: Mix) -> Box<dyn OpSource> {
        Box::new(Appends {
            keys: config.keys,
            max: config.txn_max,
            next: 1,
        })
    }

    fn final_reads(&self, config: &WorkloadConfig) -> Vec<Operation> {
        let reads = (0..config.keys as u64).map(|key| MicroOp::Read { key });
        vec![Operation::Txn(reads.collect())]
    }

    fn checkers(&self, config: &WorkloadConfig, limit: Duration) -> Compose {
        Compose::new()
            .with(checkers::Transactions {
                options: TxnOptions {
                    model: config.consistency_model,
                    time_limit: Some(limit),
                    ..TxnOptions::default()
                },
            })
            .with(checkers::Convergence {
                options: ConvergenceOptions {
                    state: StateKind::ListAppend,
                },
            })
    }
}

/// Draws transactions of 1..=max micro-ops, each an append of a value unique in the run or a
/// read, over `keys` keys.
pub struct Appends {
    keys: usize,
    max: usize,
    next: u64,
}

impl OpSource for Appends {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> Operation {
        let n = rng.gen_range(1..=self.max);
        let txn = (0..n)
            .map(|_| {
                let key = rng.gen_range(0..self.keys) as u64;
                if rng.gen_bool(0.5) {
                    let value = self.next;
                    self.next += 1;
                    MicroOp::Append { key, value }
                } else {
                    MicroOp::Read { key }
                }
            })
            .collect();
        Operation::Txn(txn)
    }
}
