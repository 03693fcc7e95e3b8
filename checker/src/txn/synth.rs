//! A seeded generator of list-append histories that are strict serializable by construction, for
//! benchmarks and property tests: the same options give the same history.
//!
//! As Elle's list-append generator: `keys` keys are active at a time; a key that has received
//! `max_writes_per_key` appends is retired and replaced by a fresh one, so lists stay short
//! however long the history. Each transaction has 1 to `max_txn_len` micro-ops, each an append of
//! the key's next element or a read, on a random active key. Processes interleave at random; a
//! transaction takes effect atomically when it completes (so the history is strict
//! serializable), unless it fails (no effect) or ends indeterminate (takes effect or not, at
//! random; its process is then replaced by a new one, as in Jepsen).

use histories::{History, Op, OpType, Process};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Seed of the random choices.
    pub seed: u64,
    /// Number of transactions.
    pub transactions: usize,
    /// Concurrent processes.
    pub processes: usize,
    /// Keys active at a time.
    pub keys: usize,
    /// Appends a key receives before it is retired.
    pub max_writes_per_key: usize,
    /// Most micro-ops in a transaction.
    pub max_txn_len: usize,
    /// Probability that a transaction fails.
    pub fail_rate: f64,
    /// Probability that a transaction ends indeterminate.
    pub info_rate: f64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            seed: 0,
            transactions: 1000,
            processes: 10,
            keys: 1000,
            max_writes_per_key: 32,
            max_txn_len: 4,
            fail_rate: 0.0,
            info_rate: 0.0,
        }
    }
}

#[derive(Clone)]
enum M {
    Append(u64, u64),
    Read(u64),
}

/// Generates a list-append history.
pub fn list_append(opts: &SynthOptions) -> History {
    let mut ops = Vec::with_capacity(opts.transactions * 2);
    list_append_ops(opts, |op| ops.push(op));
    History::from_ops(ops)
}

/// Generates the same history as [`list_append`], handing each op to `emit` as it is made
/// instead of keeping them (for checking histories too big to hold).
pub fn list_append_ops(opts: &SynthOptions, mut emit: impl FnMut(Op)) {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut active: Vec<u64> = (0..opts.keys.max(1) as u64).collect();
    let mut next_key = active.len() as u64;
    let mut writes: Vec<u64> = Vec::new(); // appends so far, by key
    let mut lists: Vec<Vec<u64>> = Vec::new(); // committed state, by key
    let mut open: Vec<Option<Vec<M>>> = vec![None; opts.processes.max(1)];
    let mut pid: Vec<u64> = (0..open.len() as u64).collect();
    let mut next_pid = pid.len() as u64;
    let mut started = 0;
    let mut next_index = 0u64;
    let mut push = |p: u64, kind: OpType, value: Value| {
        let i = next_index;
        next_index += 1;
        emit(Op::new(i, i * 1000, Process::Client(p), kind, "txn", value));
    };
    while started < opts.transactions || open.iter().any(Option::is_some) {
        let p = rng.gen_range(0..open.len());
        match open[p].take() {
            None if started < opts.transactions => {
                let len = rng.gen_range(1..=opts.max_txn_len.max(1));
                let mut mops = Vec::with_capacity(len);
                for _ in 0..len {
                    let slot = rng.gen_range(0..active.len());
                    let k = active[slot];
                    if rng.gen_bool(0.5) {
                        let k = k as usize;
                        if writes.len() <= k {
                            writes.resize(k + 1, 0);
                        }
                        writes[k] += 1;
                        mops.push(M::Append(k as u64, writes[k]));
                        if writes[k] as usize >= opts.max_writes_per_key {
                            active[slot] = next_key;
                            next_key += 1;
                        }
                    } else {
                        mops.push(M::Read(k));
                    }
                }
                push(pid[p], OpType::Invoke, render(&mops, None));
                open[p] = Some(mops);
                started += 1;
            }
            None => {}
            Some(mops) => {
                let roll: f64 = rng.gen();
                if roll < opts.fail_rate {
                    push(pid[p], OpType::Fail, render(&mops, None));
                } else if roll < opts.fail_rate + opts.info_rate {
                    if rng.gen_bool(0.5) {
                        apply(&mut lists, &mops);
                    }
                    push(pid[p], OpType::Info, render(&mops, None));
                    pid[p] = next_pid;
                    next_pid += 1;
                } else {
                    let reads = apply(&mut lists, &mops);
                    push(pid[p], OpType::Ok, render(&mops, Some(&reads)));
                }
            }
        }
    }
}

/// Applies the micro-ops; returns what each read saw.
fn apply(lists: &mut Vec<Vec<u64>>, mops: &[M]) -> Vec<Vec<u64>> {
    let mut reads = Vec::new();
    for m in mops {
        let k = match m {
            M::Append(k, _) | M::Read(k) => *k as usize,
        };
        if lists.len() <= k {
            lists.resize(k + 1, Vec::new());
        }
        match m {
            M::Append(_, v) => lists[k].push(*v),
            M::Read(_) => reads.push(lists[k].clone()),
        }
    }
    reads
}

/// The micro-ops as JSON (values built directly: going through serde's serializer, as `json!`
/// does, made up much of a big benchmark's generating time).
fn render(mops: &[M], reads: Option<&[Vec<u64>]>) -> Value {
    let mut r = 0;
    Value::Array(
        mops.iter()
            .map(|m| match m {
                M::Append(k, v) => Value::Array(vec![
                    Value::String("append".to_string()),
                    Value::from(*k),
                    Value::from(*v),
                ]),
                M::Read(k) => {
                    let seen = reads.map_or(Value::Null, |rs| {
                        Value::Array(rs[r].iter().map(|&x| Value::from(x)).collect())
                    });
                    r += 1;
                    Value::Array(vec![Value::String("r".to_string()), Value::from(*k), seen])
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::{check, TxnOptions};
    use crate::Verdict;

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let o = SynthOptions {
            transactions: 200,
            ..SynthOptions::default()
        };
        assert_eq!(list_append(&o).ops, list_append(&o).ops);
    }

    #[test]
    fn generated_histories_are_strict_serializable_with_fails_and_infos() {
        for seed in 0..10 {
            let o = SynthOptions {
                seed,
                transactions: 500,
                keys: 5,
                max_writes_per_key: 8,
                fail_rate: 0.05,
                info_rate: 0.05,
                ..SynthOptions::default()
            };
            let r = check(&list_append(&o), &TxnOptions::default()).unwrap();
            assert_eq!(r.verdict, Verdict::Valid, "seed {seed}: {r}");
            assert!(r.counts.is_empty());
        }
    }
}
