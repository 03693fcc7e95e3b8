//! Simulated transactional stores, some with known bugs, drive random concurrent list-append
//! workloads; the checker must find each bug's anomalies and pass the correct store.
//!
//! Module map: `Driver` interleaves processes and records the history; `Store` implementations:
//! `Serial` (correct: each transaction applied atomically at its completion), `LostUpdate`
//! (writes back a stale snapshot), `DirtyRead` (uncommitted appends visible, then rolled back),
//! `StaleReplica` (read-only transactions served by a lagging replica); and `drive_registers`,
//! the same for rw-register transactions (serial, or with a stale replica).

use checker::txn::{self, AnomalyKind, ConsistencyModel, Explanation, TxnOptions, TxnReport, Why};
use checker::Verdict;
use histories::{History, Op, OpType, Process};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum M {
    Append(u64, u64),
    Read(u64, Option<Vec<u64>>),
}

fn to_json(mops: &[M]) -> Value {
    Value::Array(
        mops.iter()
            .map(|m| match m {
                M::Append(k, v) => json!(["append", k, v]),
                M::Read(k, r) => json!(["r", k, r]),
            })
            .collect(),
    )
}

type State = HashMap<u64, Vec<u64>>;

/// Runs `mops` against `state`, filling in reads.
fn apply(state: &mut State, mops: &[M]) -> Vec<M> {
    mops.iter()
        .map(|m| match m {
            M::Append(k, v) => {
                state.entry(*k).or_default().push(*v);
                m.clone()
            }
            M::Read(k, _) => M::Read(*k, Some(state.get(k).cloned().unwrap_or_default())),
        })
        .collect()
}

/// A store: told when a process invokes a transaction, asked for its outcome on completion.
trait Store {
    fn invoke(&mut self, p: usize, mops: &[M], rng: &mut ChaCha8Rng);
    fn complete(&mut self, p: usize, rng: &mut ChaCha8Rng) -> (OpType, Vec<M>);
}

/// Interleaves `procs` processes running `n` random transactions over `keys` keys.
fn drive(store: &mut dyn Store, seed: u64, procs: usize, keys: u64, n: usize) -> History {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ops = Vec::new();
    let mut open: Vec<Option<Vec<M>>> = vec![None; procs];
    let mut pid: Vec<u64> = (0..procs as u64).collect();
    let mut next_value = 0u64;
    let mut started = 0;
    let record = |ops: &mut Vec<Op>, p: u64, kind, value| {
        let i = ops.len() as u64;
        ops.push(Op::new(i, i, Process::Client(p), kind, "txn", value));
    };
    while started < n || open.iter().any(Option::is_some) {
        let p = rng.gen_range(0..procs);
        match open[p].take() {
            None if started < n => {
                let len = rng.gen_range(1..=4);
                let mops: Vec<M> = (0..len)
                    .map(|_| {
                        let k = rng.gen_range(0..keys);
                        if rng.gen_bool(0.5) {
                            next_value += 1;
                            M::Append(k, next_value)
                        } else {
                            M::Read(k, None)
                        }
                    })
                    .collect();
                record(&mut ops, pid[p], OpType::Invoke, to_json(&mops));
                store.invoke(p, &mops, &mut rng);
                open[p] = Some(mops);
                started += 1;
            }
            None => {}
            Some(mops) => {
                let (kind, result) = store.complete(p, &mut rng);
                let value = if kind == OpType::Ok {
                    to_json(&result)
                } else {
                    to_json(&mops)
                };
                record(&mut ops, pid[p], kind, value);
                if kind == OpType::Info {
                    pid[p] += 1000;
                }
            }
        }
    }
    History::from_ops(ops)
}

/// Correct: each transaction takes effect atomically when it completes; some fail (no effect),
/// some end indeterminate (took effect or not, at random).
#[derive(Default)]
struct Serial {
    state: State,
    pending: HashMap<usize, Vec<M>>,
}

impl Store for Serial {
    fn invoke(&mut self, p: usize, mops: &[M], _: &mut ChaCha8Rng) {
        self.pending.insert(p, mops.to_vec());
    }
    fn complete(&mut self, p: usize, rng: &mut ChaCha8Rng) -> (OpType, Vec<M>) {
        let mops = self.pending.remove(&p).unwrap();
        match rng.gen_range(0..20) {
            0 => (OpType::Fail, mops),
            1 => {
                if rng.gen_bool(0.5) {
                    apply(&mut self.state, &mops);
                }
                (OpType::Info, mops)
            }
            _ => (OpType::Ok, apply(&mut self.state, &mops)),
        }
    }
}

/// Bug: a transaction works on a snapshot taken at its invocation and writes the snapshot (plus
/// its appends) back at commit, overwriting concurrent commits.
#[derive(Default)]
struct LostUpdate {
    state: State,
    pending: HashMap<usize, (Vec<M>, State)>,
}

impl Store for LostUpdate {
    fn invoke(&mut self, p: usize, mops: &[M], _: &mut ChaCha8Rng) {
        self.pending.insert(p, (mops.to_vec(), self.state.clone()));
    }
    fn complete(&mut self, p: usize, _: &mut ChaCha8Rng) -> (OpType, Vec<M>) {
        let (mops, mut snapshot) = self.pending.remove(&p).unwrap();
        let result = apply(&mut snapshot, &mops);
        for m in &mops {
            if let M::Append(k, _) = m {
                self.state.insert(*k, snapshot[k].clone());
            }
        }
        (OpType::Ok, result)
    }
}

/// Bug: a transaction runs at its invocation, its appends visible to everyone at once; a third
/// of them then abort, and their appends are removed.
#[derive(Default)]
struct DirtyRead {
    state: State,
    pending: HashMap<usize, (Vec<M>, Vec<M>)>,
}

impl Store for DirtyRead {
    fn invoke(&mut self, p: usize, mops: &[M], _: &mut ChaCha8Rng) {
        let result = apply(&mut self.state, mops);
        self.pending.insert(p, (mops.to_vec(), result));
    }
    fn complete(&mut self, p: usize, rng: &mut ChaCha8Rng) -> (OpType, Vec<M>) {
        let (mops, result) = self.pending.remove(&p).unwrap();
        if rng.gen_range(0..3) == 0 {
            for m in &mops {
                if let M::Append(k, v) = m {
                    self.state.get_mut(k).unwrap().retain(|x| x != v);
                }
            }
            return (OpType::Fail, mops);
        }
        (OpType::Ok, result)
    }
}

/// Bug (for real-time models only): read-only transactions are served by a replica that copies
/// the primary only every few commits; transactions that append run on the primary.
#[derive(Default)]
struct StaleReplica {
    primary: State,
    replica: State,
    commits: usize,
    pending: HashMap<usize, Vec<M>>,
}

impl Store for StaleReplica {
    fn invoke(&mut self, p: usize, mops: &[M], _: &mut ChaCha8Rng) {
        self.pending.insert(p, mops.to_vec());
    }
    fn complete(&mut self, p: usize, _: &mut ChaCha8Rng) -> (OpType, Vec<M>) {
        let mops = self.pending.remove(&p).unwrap();
        if mops.iter().all(|m| matches!(m, M::Read(..))) {
            return (OpType::Ok, apply(&mut self.replica.clone(), &mops));
        }
        let result = apply(&mut self.primary, &mops);
        self.commits += 1;
        if self.commits.is_multiple_of(7) {
            self.replica = self.primary.clone();
        }
        (OpType::Ok, result)
    }
}

/// Checks, and insists that every edge of every cycle reported comes with its evidence.
fn check(h: &History, model: ConsistencyModel) -> TxnReport {
    let r = txn::check(h, &TxnOptions::model(model)).unwrap();
    for a in &r.anomalies {
        if let Explanation::Cycle(c) = &a.explanation {
            assert!(c.steps.iter().all(|s| s.why != Why::Unexplained), "{a}");
            assert_eq!(c.steps.len(), c.txns.len(), "{a}");
        }
    }
    r
}

#[test]
fn a_serial_store_produces_no_anomalies_over_many_seeds() {
    for seed in 0..40 {
        let h = drive(&mut Serial::default(), seed, 5, 4, 200);
        let r = check(&h, ConsistencyModel::StrictSerializable);
        assert!(r.counts.is_empty(), "seed {seed}:\n{r}");
        assert_eq!(r.verdict, Verdict::Valid, "seed {seed}");
    }
}

#[test]
fn a_store_that_overwrites_concurrent_commits_loses_updates() {
    for seed in 0..10 {
        let h = drive(&mut LostUpdate::default(), seed, 5, 3, 200);
        let r = check(&h, ConsistencyModel::ReadCommitted);
        assert!(r.has(AnomalyKind::LostUpdate), "seed {seed}:\n{r}");
        assert!(
            r.ruled_out.contains(&ConsistencyModel::SnapshotIsolation),
            "seed {seed}"
        );
        assert_eq!(
            check(&h, ConsistencyModel::Serializable).verdict,
            Verdict::Invalid
        );
    }
}

#[test]
fn a_store_that_shows_uncommitted_appends_is_caught_reading_aborted_data() {
    for seed in 0..10 {
        let h = drive(&mut DirtyRead::default(), seed, 5, 3, 200);
        let r = check(&h, ConsistencyModel::ReadCommitted);
        assert!(r.has(AnomalyKind::G1a), "seed {seed}:\n{r}");
        assert_eq!(r.verdict, Verdict::Invalid);
    }
}

#[test]
fn a_stale_replica_is_serializable_but_not_strict_serializable() {
    for seed in 0..10 {
        let h = drive(&mut StaleReplica::default(), seed, 5, 3, 200);
        let strict = check(&h, ConsistencyModel::StrictSerializable);
        assert_eq!(strict.verdict, Verdict::Invalid, "seed {seed}:\n{strict}");
        assert!(
            strict
                .counts
                .keys()
                .all(|k| k.name().ends_with("-realtime") || k.name().ends_with("-process")),
            "seed {seed}: only session and real-time anomalies expected:\n{strict}"
        );
        assert_eq!(
            check(&h, ConsistencyModel::Serializable).verdict,
            Verdict::Valid,
            "seed {seed}"
        );
    }
}

/// Register micro-ops for the rw-register simulations.
#[derive(Debug, Clone)]
enum R {
    Write(u64, u64),
    Read(u64, Option<u64>),
}

fn registers_json(mops: &[R], known: bool) -> Value {
    Value::Array(
        mops.iter()
            .map(|m| match m {
                R::Write(k, v) => json!(["w", k, v]),
                R::Read(k, v) => json!(["r", k, if known { json!(v) } else { Value::Null }]),
            })
            .collect(),
    )
}

/// Interleaves processes running random register transactions (unique values), each applied
/// atomically at its completion; with `stale`, read-only transactions read a snapshot taken a
/// few commits earlier.
fn drive_registers(seed: u64, stale: bool) -> History {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let procs = 4;
    let mut state: HashMap<u64, u64> = HashMap::new();
    let mut snapshot = state.clone();
    let mut commits = 0;
    let mut open: Vec<Option<Vec<R>>> = vec![None; procs];
    let mut ops = Vec::new();
    let mut next = 0;
    let mut started = 0;
    let record = |ops: &mut Vec<Op>, p: usize, kind, value| {
        let i = ops.len() as u64;
        ops.push(Op::new(i, i, Process::Client(p as u64), kind, "txn", value));
    };
    while started < 150 || open.iter().any(Option::is_some) {
        let p = rng.gen_range(0..procs);
        match open[p].take() {
            None if started < 150 => {
                let mops: Vec<R> = (0..rng.gen_range(1..=3))
                    .map(|_| {
                        let k = rng.gen_range(0..3);
                        if rng.gen_bool(0.5) {
                            next += 1;
                            R::Write(k, next)
                        } else {
                            R::Read(k, None)
                        }
                    })
                    .collect();
                record(&mut ops, p, OpType::Invoke, registers_json(&mops, false));
                open[p] = Some(mops);
                started += 1;
            }
            None => {}
            Some(mops) => {
                let read_only = mops.iter().all(|m| matches!(m, R::Read(..)));
                let source = if stale && read_only {
                    snapshot.clone()
                } else {
                    state.clone()
                };
                let mut local = source;
                let done: Vec<R> = mops
                    .iter()
                    .map(|m| match m {
                        R::Write(k, v) => {
                            local.insert(*k, *v);
                            m.clone()
                        }
                        R::Read(k, _) => R::Read(*k, local.get(k).copied()),
                    })
                    .collect();
                if !read_only {
                    state = local;
                    commits += 1;
                    if commits % 5 == 0 {
                        snapshot = state.clone();
                    }
                }
                record(&mut ops, p, OpType::Ok, registers_json(&done, true));
            }
        }
    }
    History::from_ops(ops)
}

#[test]
fn a_serial_register_store_produces_no_anomalies_over_many_seeds() {
    for seed in 0..40 {
        let r = check(
            &drive_registers(seed, false),
            ConsistencyModel::StrictSerializable,
        );
        assert_eq!(r.workload, txn::Workload::RwRegister);
        assert!(r.counts.is_empty(), "seed {seed}:\n{r}");
        assert_eq!(r.verdict, Verdict::Valid, "seed {seed}");
    }
}

#[test]
fn a_register_store_with_a_stale_replica_is_caught_only_under_real_time_models() {
    let mut caught = 0;
    for seed in 0..20 {
        let h = drive_registers(seed, true);
        let strict = check(&h, ConsistencyModel::StrictSerializable);
        assert_eq!(
            check(&h, ConsistencyModel::Serializable).verdict,
            Verdict::Valid,
            "seed {seed}:\n{strict}"
        );
        if strict.verdict == Verdict::Invalid {
            caught += 1;
        }
    }
    assert!(
        caught >= 15,
        "only {caught} of 20 stale-replica runs caught"
    );
}
