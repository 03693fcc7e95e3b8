//! The search, the fast path and the brute-force reference agree on random small histories:
//! register histories valid by construction with injected stale reads, lost writes and info
//! calls, and arbitrary histories of every other model.

use checker::gen::{generate, GenConfig};
use checker::linear::fast::{self, FastOutcome, FastPath};
use checker::linear::{check, problem, reference, Options};
use checker::model::register::Register;
use checker::model::{
    append_kv::AppendKv, booking::Booking, counter::Counter, mutex::Mutex, set::Set, Datum,
    FailSemantics,
};
use checker::Verdict;
use histories::{History, Op, OpType, Process};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

fn agree<M: FastPath>(
    model: &M,
    history: &History,
    semantics: FailSemantics,
) -> Result<(), TestCaseError> {
    let calls = history.calls().unwrap();
    let expected = reference::check(model, &calls, semantics).unwrap();
    for fast_path in [false, true] {
        let options = Options {
            fast_path,
            semantics,
            ..Options::default()
        };
        let report = check(model, &calls, &options).unwrap();
        prop_assert_eq!(
            report.verdict == Verdict::Valid,
            expected,
            "fast path {}: {} for\n{}",
            fast_path,
            report,
            history
                .ops
                .iter()
                .map(|o| serde_json::to_string(o).unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}

fn small(
    seed: u64,
    calls: usize,
    processes: u64,
    info: f64,
    anomaly: f64,
    unique: bool,
    cas: bool,
) -> History {
    generate(&GenConfig {
        seed,
        calls,
        keys: 1,
        processes,
        info_rate: info,
        unique_values: unique,
        value_range: 3,
        anomaly_rate: anomaly,
        cas,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_checker_agrees_with_brute_force_on_small_register_histories(
        seed in any::<u64>(), calls in 1usize..=8, processes in 1u64..=4,
        info in 0.0..0.3f64, anomaly in 0.0..0.5f64, unique in any::<bool>(), cas in any::<bool>(),
    ) {
        let h = small(seed, calls, processes, info, anomaly, unique, cas);
        agree(&Register::with_cas(Datum::Int(0)), &h, FailSemantics::Knossos)?;
        agree(&Register::with_cas(Datum::Int(0)), &h, FailSemantics::Etcd)?;
    }

    #[test]
    fn the_search_agrees_with_brute_force_on_crowded_histories_of_crashed_writes(
        seed in any::<u64>(), calls in 6usize..=11, processes in 3u64..=7,
        info in 0.2..0.6f64, anomaly in 0.0..0.6f64, cas in any::<bool>(),
    ) {
        // Colliding values and many info calls: the search counts interchangeable crashed calls
        // and skips those that make no difference, which must cost nothing in truth.
        let h = small(seed, calls, processes, info, anomaly, false, cas);
        agree(&Register::with_cas(Datum::Int(0)), &h, FailSemantics::Knossos)?;
    }

    #[test]
    fn the_fast_path_agrees_with_brute_force_wherever_it_decides(
        seed in any::<u64>(), calls in 1usize..=8, processes in 1u64..=4,
        info in 0.0..0.3f64, anomaly in 0.0..0.5f64,
    ) {
        let h = small(seed, calls, processes, info, anomaly, true, true);
        let model = Register::with_cas(Datum::Int(0));
        let calls = h.calls().unwrap();
        for part in problem::partitions(&model, &calls, FailSemantics::Knossos).unwrap() {
            let expected = reference::linearizable(&model, &part.entries);
            match fast::check(&model, &part.entries) {
                FastOutcome::Linearizable(_) => prop_assert!(expected),
                FastOutcome::NotLinearizable(w) => prop_assert!(!expected, "{:?}", w),
                FastOutcome::Undecided(_) => {}
            }
        }
    }

    #[test]
    fn the_checker_agrees_with_brute_force_on_arbitrary_histories_of_every_model(seed in any::<u64>()) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let h = arbitrary(&mut rng, |rng| match rng.gen_range(0..3) {
            0 => ("acquire", Value::Null, Value::Null),
            _ => ("release", Value::Null, Value::Null),
        });
        agree(&Mutex, &h, FailSemantics::Knossos)?;
        let h = arbitrary(&mut rng, |rng| match rng.gen_range(0..2) {
            0 => ("add", json!(rng.gen_range(0..3)), Value::Null),
            _ => ("read", Value::Null, json!((0..3).filter(|_| rng.gen_bool(0.5)).collect::<Vec<_>>())),
        });
        agree(&Set, &h, FailSemantics::Knossos)?;
        let h = arbitrary(&mut rng, |rng| match rng.gen_range(0..2) {
            0 => ("add", json!(1), Value::Null),
            _ => ("read", Value::Null, json!(rng.gen_range(0..4))),
        });
        agree(&Counter { init: 0 }, &h, FailSemantics::Knossos)?;
        let guest = |rng: &mut ChaCha8Rng| json!(["ann", "bob"][rng.gen_range(0..2)]);
        let h = arbitrary(&mut rng, |rng| match rng.gen_range(0..3) {
            0 => ("book", guest(rng), [json!(true), json!(false)][rng.gen_range(0..2)].clone()),
            1 => ("cancel", guest(rng), [json!(true), json!(false), Value::Null][rng.gen_range(0..3)].clone()),
            _ => ("available", Value::Null, [Value::Null, guest(rng)][rng.gen_range(0..2)].clone()),
        });
        agree(&Booking, &h, FailSemantics::Knossos)?;
        let text = |rng: &mut ChaCha8Rng| json!(["a", "b", "ab", ""][rng.gen_range(0..4)]);
        let h = arbitrary(&mut rng, |rng| match rng.gen_range(0..3) {
            0 => ("put", text(rng), Value::Null),
            1 => ("append", text(rng), Value::Null),
            _ => ("get", Value::Null, text(rng)),
        });
        agree(&AppendKv, &h, FailSemantics::Knossos)?;
    }
}

/// Up to 7 calls by up to 3 processes with random results, outcomes and interleaving.
fn arbitrary(
    rng: &mut ChaCha8Rng,
    mut call: impl FnMut(&mut ChaCha8Rng) -> (&'static str, Value, Value),
) -> History {
    let n = rng.gen_range(1..=7);
    let mut pending: Vec<Option<(u64, &'static str, Value, Value)>> = vec![None; 3];
    let mut next_process = 3u64;
    let mut process: Vec<u64> = vec![0, 1, 2];
    let (mut invoked, mut ops) = (0, Vec::new());
    while invoked < n || pending.iter().any(Option::is_some) {
        let s = rng.gen_range(0..3);
        let i = ops.len() as u64;
        match pending[s].take() {
            None if invoked < n => {
                let (f, arg, result) = call(rng);
                ops.push(Op::new(
                    i,
                    i,
                    Process::Client(process[s]),
                    OpType::Invoke,
                    f,
                    arg.clone(),
                ));
                pending[s] = Some((process[s], f, arg, result));
                invoked += 1;
            }
            None => {}
            Some((p, f, arg, result)) => {
                let kind = [
                    OpType::Ok,
                    OpType::Ok,
                    OpType::Ok,
                    OpType::Fail,
                    OpType::Info,
                ][rng.gen_range(0..5)];
                let value = if kind == OpType::Ok { result } else { arg };
                ops.push(Op::new(i, i, Process::Client(p), kind, f, value));
                if kind == OpType::Info {
                    process[s] = next_process;
                    next_process += 1;
                }
            }
        }
    }
    History::from_ops(ops)
}

#[test]
fn the_fast_path_decides_most_generated_histories_and_agrees_with_the_search() {
    let model = Register::with_cas(Datum::Int(0));
    let (mut decided, mut invalid, total) = (0, 0, 300);
    for seed in 0..total {
        let h = generate(&GenConfig {
            seed,
            calls: 60,
            keys: 1,
            processes: 1 + seed % 6,
            info_rate: 0.1,
            anomaly_rate: if seed % 2 == 0 { 0.05 } else { 0.0 },
            ..GenConfig::default()
        });
        let calls = h.calls().unwrap();
        let parts = problem::partitions(&model, &calls, FailSemantics::Knossos).unwrap();
        let Some(part) = parts.first() else { continue };
        let searched = check(
            &model,
            &calls,
            &Options {
                fast_path: false,
                ..Options::default()
            },
        )
        .unwrap();
        let valid = searched.verdict == Verdict::Valid;
        invalid += usize::from(!valid);
        match fast::check(&model, &part.entries) {
            FastOutcome::Linearizable(_) => {
                assert!(valid, "seed {seed}: fast path valid, search {searched}")
            }
            FastOutcome::NotLinearizable(w) => {
                assert!(!valid, "seed {seed}: fast path {w:?}, search valid")
            }
            FastOutcome::Undecided(_) => continue,
        }
        decided += 1;
    }
    assert!(
        invalid > 20,
        "only {invalid} invalid histories: the anomalies are too rare to test anything"
    );
    assert!(
        decided * 100 >= total as usize * 95,
        "the fast path decided only {decided} of {total}"
    );
}
