//! Simulation: a generator driven by a fake clock and fake clients, without a cluster.

use super::{Context, Generator, Next};
use crate::workload::Operation;

/// One op of a simulated schedule: when it was invoked, by which process, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduled {
    /// Invocation time (ns since the start).
    pub time: u64,
    /// The process that performed it.
    pub process: u64,
    /// The op.
    pub operation: Operation,
}

/// Drives `generator` with `processes` clients whose every call takes `latency` ns, from time 0
/// until the generator is done (or `max_ops` ops, to bound the loop), and returns the schedule.
pub fn simulate(
    generator: &mut dyn Generator<Item = Operation>,
    processes: u64,
    latency: u64,
    max_ops: usize,
) -> Vec<Scheduled> {
    let mut free_at = vec![0u64; processes.max(1) as usize];
    let mut schedule = Vec::new();
    while schedule.len() < max_ops {
        let (p, &now) = free_at
            .iter()
            .enumerate()
            .min_by_key(|(_, t)| **t)
            .expect("at least one process");
        let ctx = Context {
            time: now,
            process: p as u64,
        };
        match generator.next(ctx) {
            Next::Op(operation) => {
                schedule.push(Scheduled {
                    time: now,
                    process: p as u64,
                    operation,
                });
                free_at[p] = now + latency;
            }
            Next::Pending(at) => free_at[p] = at.max(now + 1),
            Next::Done => break,
        }
    }
    schedule
}
