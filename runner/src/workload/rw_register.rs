//! The rw-register workload (Elle's): transactions of reads and writes over a few keys, each
//! write's value unique for its key, checked for transactional anomalies against the
//! consistency model the config names.
//!
//! No convergence checker: a register's final value is whichever write the database ordered
//! last, which the final reads show and the transactional checker already judges (a final read
//! is one more transaction in the dependency graph).

use super::{MicroOp, Mix, OpSource, Operation, Workload, WorkloadConfig, WorkloadKind};
use crate::RunError;
use checker::txn::{TxnOptions, Workload as TxnWorkload};
use checker::{checkers, Compose};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The rw-register workload's descriptor.
pub struct RwRegisterWorkload;

impl Workload for RwRegisterWorkload {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::RwRegister
    }

    fn ops(&self) -> &'static [(&'static str, u32)] {
        &[("txn", 1)]
    }

    fn model(&self) -> &'static str {
        "rw-register"
    }

    fn validate(&self, config: &WorkloadConfig) -> Result<(), RunError> {
        if config.txn_max == 0 {
            return Err(RunError::Zero {
                workload: WorkloadKind::RwRegister,
                what: "txn_max",
            });
        }
        Ok(())
    }

    fn source(&self, config: &WorkloadConfig, _mix: Mix) -> Box<dyn OpSource> {
        Box::new(ReadsAndWrites {
            max: config.txn_max,
            next: vec![1; config.keys],
        })
    }

    fn final_reads(&self, config: &WorkloadConfig) -> Vec<Operation> {
        let reads = (0..config.keys as u64).map(|key| MicroOp::Read { key });
        vec![Operation::Txn(reads.collect())]
    }

    fn checkers(&self, config: &WorkloadConfig, limit: Duration) -> Compose {
        Compose::new().with(checkers::Transactions {
            options: TxnOptions {
                model: config.consistency_model,
                workload: Some(TxnWorkload::RwRegister),
                time_limit: Some(limit),
                ..TxnOptions::default()
            },
        })
    }
}

/// Draws transactions of 1..=max micro-ops, each a read or a write of the key's next value
/// (1, 2, 3, ... per key, so every value is written once), over `next.len()` keys.
pub struct ReadsAndWrites {
    max: usize,
    /// Each key's next value to write.
    next: Vec<u64>,
}

impl OpSource for ReadsAndWrites {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> Operation {
        let n = rng.gen_range(1..=self.max);
        let txn = (0..n)
            .map(|_| {
                let k = rng.gen_range(0..self.next.len());
                if rng.gen_bool(0.5) {
                    let value = self.next[k];
                    self.next[k] += 1;
                    MicroOp::Write {
                        key: k as u64,
                        value,
                    }
                } else {
                    MicroOp::Read { key: k as u64 }
                }
            })
            .collect();
        Operation::Txn(txn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashSet;

    #[test]
    fn every_write_of_a_key_has_a_value_no_other_write_of_it_has() {
        let mut source = ReadsAndWrites {
            max: 4,
            next: vec![1; 3],
        };
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut seen = HashSet::new();
        let mut reads = 0;
        for _ in 0..500 {
            let Operation::Txn(mops) = source.draw(&mut rng) else {
                panic!("not a transaction")
            };
            assert!((1..=4).contains(&mops.len()));
            for m in mops {
                match m {
                    MicroOp::Write { key, value } => assert!(seen.insert((key, value))),
                    MicroOp::Read { .. } => reads += 1,
                    MicroOp::Append { .. } => panic!("an append in rw-register"),
                }
            }
        }
        assert!(
            reads > 100 && seen.len() > 100,
            "{reads} reads, {} writes",
            seen.len()
        );
    }
}
