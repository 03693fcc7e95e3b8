//! The register workload: reads, writes (unique values) and cas over N integer-keyed registers,
//! checked for linearizability per key (cas-register) and for convergence.

use super::{Mix, OpSource, Operation, RegisterOp, Workload, WorkloadConfig, WorkloadKind};
use crate::RunError;
use checker::convergence::{ConvergenceOptions, StateKind};
use checker::model::spec::{ModelKind, ModelSpec};
use checker::{checkers, Compose};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The register workload's descriptor.
pub struct RegisterWorkload;

impl Workload for RegisterWorkload {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Register
    }

    fn ops(&self) -> &'static [(&'static str, u32)] {
        &[("read", 2), ("write", 2), ("cas", 1)]
    }

    fn model(&self) -> &'static str {
        ModelKind::CasRegister.name()
    }

    /// Registers start with no value (nil), as a key a system has never stored: a cas from nil
    /// that a system carries out on an absent key (a create) is then explained by the initial
    /// state, not reported as observing a value no call wrote.
    fn init(&self, _config: &WorkloadConfig) -> Option<serde_json::Value> {
        Some(serde_json::Value::Null)
    }

    fn validate(&self, _config: &WorkloadConfig) -> Result<(), RunError> {
        Ok(())
    }

    fn source(&self, config: &WorkloadConfig, mix: Mix) -> Box<dyn OpSource> {
        Box::new(Registers::new(mix, config.keys))
    }

    fn final_reads(&self, config: &WorkloadConfig) -> Vec<Operation> {
        (0..config.keys as u64)
            .map(|key| Operation::Register(RegisterOp::Read { key }))
            .collect()
    }

    fn checkers(&self, config: &WorkloadConfig, limit: Duration) -> Compose {
        Compose::new()
            .with(checkers::Linearizable::within(
                ModelSpec {
                    kind: ModelKind::CasRegister,
                    init: self.init(config),
                },
                limit,
            ))
            .with(checkers::Convergence {
                options: ConvergenceOptions {
                    state: StateKind::Register,
                },
            })
    }
}

/// Draws reads, writes and cas ops. Every written value (write or cas's new value) is unique in
/// the run, so the checker's fast path applies; a cas expects the last value written to its key,
/// so that some of them succeed.
pub struct Registers {
    mix: Mix,
    keys: usize,
    next_value: u64,
    last: Vec<Option<u64>>,
}

impl Registers {
    /// Ops over `keys` keys with the given mix.
    pub fn new(mix: Mix, keys: usize) -> Registers {
        Registers {
            mix,
            keys,
            next_value: 1,
            last: vec![None; keys],
        }
    }

    fn fresh(&mut self, key: usize) -> u64 {
        let v = self.next_value;
        self.next_value += 1;
        self.last[key] = Some(v);
        v
    }
}

impl OpSource for Registers {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> Operation {
        let f = self.mix.draw(rng);
        let k = rng.gen_range(0..self.keys);
        let key = k as u64;
        Operation::Register(match f {
            "write" => RegisterOp::Write {
                key,
                value: self.fresh(k),
            },
            "cas" => {
                let from = self.last[k];
                RegisterOp::Cas {
                    key,
                    from,
                    to: self.fresh(k),
                }
            }
            _ => RegisterOp::Read { key },
        })
    }
}
