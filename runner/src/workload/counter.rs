//! The counter workload: increments of 1 to 5 and reads; checked for linearizability against a
//! counter, for reads within the acknowledged and attempted increments, and for convergence.

use super::{CounterOp, Mix, OpSource, Operation, Workload, WorkloadConfig, WorkloadKind};
use crate::RunError;
use checker::convergence::{ConvergenceOptions, StateKind};
use checker::model::spec::{ModelKind, ModelSpec};
use checker::{checkers, Compose};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The counter workload's descriptor.
pub struct CounterWorkload;

impl Workload for CounterWorkload {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Counter
    }

    fn ops(&self) -> &'static [(&'static str, u32)] {
        &[("add", 3), ("read", 1)]
    }

    fn model(&self) -> &'static str {
        ModelKind::Counter.name()
    }

    fn validate(&self, _config: &WorkloadConfig) -> Result<(), RunError> {
        Ok(())
    }

    fn source(&self, _config: &WorkloadConfig, mix: Mix) -> Box<dyn OpSource> {
        Box::new(Increments { mix })
    }

    fn final_reads(&self, _config: &WorkloadConfig) -> Vec<Operation> {
        vec![Operation::Counter(CounterOp::Read)]
    }

    fn checkers(&self, _config: &WorkloadConfig, limit: Duration) -> Compose {
        Compose::new()
            .with(checkers::Linearizable::within(
                ModelSpec::new(ModelKind::Counter),
                limit,
            ))
            .with(checkers::CounterInvariants)
            .with(checkers::Convergence {
                options: ConvergenceOptions {
                    state: StateKind::Counter,
                },
            })
    }
}

/// Draws `add` ops of 1..=5 and `read` ops.
pub struct Increments {
    mix: Mix,
}

impl OpSource for Increments {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> Operation {
        Operation::Counter(match self.mix.draw(rng) {
            "add" => CounterOp::Add(rng.gen_range(1..=5u64)),
            _ => CounterOp::Read,
        })
    }
}
