//! The set workload: adds of unique elements during the run, and a read of the whole set from
//! every node at the end; checked as Jepsen's set-full (every acknowledged add is read, and stays
//! read), for linearizability against a set, and for convergence.

use super::{Mix, OpSource, Operation, SetOp, Workload, WorkloadConfig, WorkloadKind};
use crate::RunError;
use checker::convergence::{ConvergenceOptions, StateKind};
use checker::invariants::set::SetOptions;
use checker::model::spec::{ModelKind, ModelSpec};
use checker::{checkers, Compose};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The set workload's descriptor.
pub struct SetWorkload;

impl Workload for SetWorkload {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Set
    }

    fn ops(&self) -> &'static [(&'static str, u32)] {
        &[("add", 1)]
    }

    fn model(&self) -> &'static str {
        ModelKind::Set.name()
    }

    fn validate(&self, _config: &WorkloadConfig) -> Result<(), RunError> {
        Ok(())
    }

    fn source(&self, _config: &WorkloadConfig, _mix: Mix) -> Box<dyn OpSource> {
        Box::new(Adds { next: 1 })
    }

    fn final_reads(&self, _config: &WorkloadConfig) -> Vec<Operation> {
        vec![Operation::Set(SetOp::Read)]
    }

    fn reads_sets(&self) -> bool {
        true
    }

    fn checkers(&self, _config: &WorkloadConfig, limit: Duration) -> Compose {
        Compose::new()
            .with(checkers::Linearizable::within(
                ModelSpec::new(ModelKind::Set),
                limit,
            ))
            .with(checkers::SetInvariants {
                options: SetOptions::default(),
            })
            .with(checkers::Convergence {
                options: ConvergenceOptions {
                    state: StateKind::Set,
                },
            })
    }
}

/// Draws `add` ops of 1, 2, 3, ...: every element is unique.
pub struct Adds {
    next: u64,
}

impl OpSource for Adds {
    fn draw(&mut self, _rng: &mut ChaCha8Rng) -> Operation {
        let v = self.next;
        self.next += 1;
        Operation::Set(SetOp::Add(v))
    }
}
