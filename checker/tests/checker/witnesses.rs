//! Witnesses: an invalid verdict shrunk to a sub-history that shows the same anomaly on the same
//! ops, every observation in it explained by a kept call as in the original.

use crate::notation;
use checker::checkers::{
    BookingInvariants, Checker, Compose, CounterInvariants, Linearizable, SetInvariants,
    Transactions,
};
use checker::gen::{generate, GenConfig};
use checker::invariants::booking::BookingViolationKind;
use checker::invariants::set::SetOptions;
use checker::linear::witness::named;
use checker::linear::{Options, Report};
use checker::model::spec::ModelKind;
use checker::model::ModelSpec;
use checker::txn::{self, TxnOptions};
use checker::witness::Anomaly;
use checker::{Evidence, Verdict, Witness};
use histories::{History, Op, OpType, Outcome, Process};
use proptest::prelude::*;
use serde_json::{json, Value};

fn register() -> Linearizable {
    Linearizable {
        spec: ModelSpec::new(ModelKind::CasRegister),
        options: Options::default(),
    }
}

fn shrunk(checker: &dyn Checker, h: &History) -> Witness {
    let j = checker.check(h);
    assert_eq!(j.verdict, Verdict::Invalid, "{}", j.explanation);
    checker
        .witness(h, &j)
        .unwrap_or_else(|e| panic!("no witness: {e}"))
}

fn report(checker: &Linearizable, h: &History) -> Report {
    match checker.check(h).evidence {
        Evidence::Linear(r) => *r,
        e => panic!("{e:?}"),
    }
}

/// (f, argument, result) of each call of `h`, in order.
fn calls(h: &History) -> Vec<(String, Value, Value)> {
    h.calls()
        .unwrap()
        .into_iter()
        .map(|c| (c.f, c.argument, c.result))
        .collect()
}

#[test]
fn a_stale_read_shrinks_to_itself_the_two_writes_and_the_read() {
    // write 1 ok, write 2 ok, then a read of 1 begun after write 2 completed.
    let h = notation::history("0:w1 0:ok 0:w2 0:ok 1:r 1:ok1");
    let w = shrunk(&register(), &h);
    assert_eq!(w.history.calls().unwrap().len(), 3, "{w}");
    assert_eq!(
        w.location.focus[0], 4,
        "the read is the call not placed: {w}"
    );
    assert!(w.location.minimal);
}

#[test]
fn a_stale_read_among_other_calls_keeps_the_writes_that_explain_it_not_a_lone_read() {
    let h = notation::history(
        "2:w5 2:ok 3:r 3:ok5 0:w1 0:ok 0:w2 0:ok 2:r 2:ok2 1:r 1:ok1 3:w7 3:ok 2:r 2:ok7",
    );
    let w = shrunk(&register(), &h);
    assert_eq!(
        calls(&w.history),
        vec![
            ("write".into(), json!(1), json!(1)),
            ("write".into(), json!(2), json!(2)),
            ("read".into(), Value::Null, json!(1)),
        ],
        "{w}"
    );
    assert!(w.to_string().contains("not linearizable"), "{w}");
}

/// Whether every kept read or cas observing a value other than 0 has a kept call writing it,
/// invoked before it completed (an info call may take effect any time after its invocation),
/// whenever the original has one.
fn grounded(original: &History, witness: &History) -> bool {
    let all = original.calls().unwrap();
    let kept = witness.calls().unwrap();
    let written = |c: &histories::Call| match c.f.as_str() {
        "write" => Some(c.argument.clone()),
        "cas" => c.argument.get(1).cloned(),
        _ => None,
    };
    let observed = |c: &histories::Call| match c.f.as_str() {
        "read" if c.outcome == Outcome::Ok => Some(c.result.clone()),
        "cas" if c.outcome != Outcome::Fail => c.argument.get(0).cloned(),
        _ => None,
    };
    let explains = |among: &[histories::Call], r: &histories::Call, v: &Value| {
        among.iter().any(|w| {
            w.outcome != Outcome::Fail
                && w.invoke_index != r.invoke_index
                && written(w).as_ref() == Some(v)
                && (r.outcome == Outcome::Info
                    || w.invoke_index < r.complete_index.unwrap_or(u64::MAX))
        })
    };
    kept.iter().all(|r| match observed(r) {
        Some(v) if v != json!(0) && !v.is_null() => {
            !explains(&all, r, &v) || explains(&kept, r, &v)
        }
        _ => true,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_witness_is_invalid_for_the_same_reason_on_the_same_op_and_grounded(
        seed in any::<u64>(), calls in 10usize..50, processes in 2u64..6,
        info in 0.0..0.2f64, anomaly in 0.05..0.3f64, unique in any::<bool>(),
    ) {
        let h = generate(&GenConfig {
            seed, calls, keys: 1, processes, info_rate: info, anomaly_rate: anomaly,
            unique_values: unique, value_range: 4, cas: true,
        });
        let checker = register();
        let j = checker.check(&h);
        prop_assume!(j.verdict == Verdict::Invalid);
        let w = checker.witness(&h, &j).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let primary = w.location.focus[0];
        let kept = w.history.calls().unwrap();
        prop_assert!(kept.iter().any(|c| c.invoke_index == primary), "{}", w);
        let again = report(&checker, &w.history);
        prop_assert_eq!(&again.verdict, &Verdict::Invalid);
        let blamed = named(&again.invalid[0].explanation)
            .into_iter()
            .any(|c| kept[c].invoke_index == primary);
        let without: Vec<usize> = (0..kept.len()).filter(|&c| kept[c].invoke_index != primary).collect();
        let essential = report(&checker, &checker::witness::sub_history(&w.history, &kept, &without))
            .verdict == Verdict::Valid;
        prop_assert!(blamed || essential, "{}", w);
        prop_assert!(grounded(&h, &w.history), "{}", w);
        prop_assert!(kept.len() <= h.calls().unwrap().len());
    }
}

fn op(index: u64, p: u64, kind: OpType, f: &str, key: Value, value: Value) -> Op {
    Op::new(index, index * 1000, Process::Client(p), kind, f, value).with_key(key)
}

/// Calls `(process, f, argument, result)` made one after the other, each completing ok.
fn serial(calls: &[(u64, &str, Value, Value)]) -> History {
    let mut ops = Vec::new();
    for (p, f, arg, result) in calls {
        let i = ops.len() as u64;
        let key = json!("r1");
        ops.push(op(i, *p, OpType::Invoke, f, key.clone(), arg.clone()));
        ops.push(op(i + 1, *p, OpType::Ok, f, key, result.clone()));
    }
    History::from_ops(ops)
}

#[test]
fn a_double_booking_shrinks_to_the_two_bookings() {
    let h = serial(&[
        (1, "available", Value::Null, Value::Null),
        (1, "book", json!("ann"), json!(true)),
        (2, "available", Value::Null, json!("ann")),
        (3, "book", json!("bob"), json!(true)),
    ]);
    let w = shrunk(&BookingInvariants, &h);
    let Anomaly::Booking(v) = &w.anomaly else {
        panic!("{w}")
    };
    assert_eq!(v.calls.len(), 2);
    assert_eq!(v.kind, BookingViolationKind::DoubleBooking);
    assert_eq!(
        calls(&w.history),
        vec![
            ("book".into(), json!("ann"), json!(true)),
            ("book".into(), json!("bob"), json!(true)),
        ],
        "{w}"
    );
}

#[test]
fn a_lost_element_keeps_the_adds_its_final_read_saw() {
    let ops = vec![
        Op::new(0, 0, Process::Client(0), OpType::Invoke, "add", json!(1)),
        Op::new(1, 1, Process::Client(0), OpType::Ok, "add", json!(1)),
        Op::new(2, 2, Process::Client(0), OpType::Invoke, "add", json!(2)),
        Op::new(3, 3, Process::Client(0), OpType::Ok, "add", json!(2)),
        Op::new(
            4,
            4,
            Process::Client(1),
            OpType::Invoke,
            "read",
            Value::Null,
        ),
        Op::new(5, 5, Process::Client(1), OpType::Ok, "read", json!([1])),
    ];
    let w = shrunk(
        &SetInvariants {
            options: SetOptions::default(),
        },
        &History::from_ops(ops),
    );
    assert_eq!(
        calls(&w.history),
        vec![
            ("add".into(), json!(1), json!(1)),
            ("add".into(), json!(2), json!(2)),
            ("read".into(), Value::Null, json!([1])),
        ],
        "{w}"
    );
}

#[test]
fn a_counter_read_too_low_keeps_just_enough_acknowledged_increments() {
    let mut ops = Vec::new();
    for k in 0..5u64 {
        ops.push(Op::new(
            2 * k,
            2 * k,
            Process::Client(0),
            OpType::Invoke,
            "add",
            json!(1),
        ));
        ops.push(Op::new(
            2 * k + 1,
            2 * k + 1,
            Process::Client(0),
            OpType::Ok,
            "add",
            json!(1),
        ));
    }
    ops.push(Op::new(
        10,
        10,
        Process::Client(1),
        OpType::Invoke,
        "read",
        Value::Null,
    ));
    ops.push(Op::new(
        11,
        11,
        Process::Client(1),
        OpType::Ok,
        "read",
        json!(2),
    ));
    let w = shrunk(&CounterInvariants, &History::from_ops(ops));
    let kept = calls(&w.history);
    assert_eq!(kept.iter().filter(|c| c.0 == "add").count(), 3, "{w}");
    assert_eq!(w.location.focus, vec![10]);
}

#[test]
fn a_transactional_cycle_shrinks_to_its_transactions() {
    // Read skew on x and y, beside transactions on z that have nothing to do with it.
    let h = txn::notation::parse(
        "p2 az1; p0 invoke ax1 ay1; p1 invoke rx ry; p0 ok ax1 ay1; p1 ok rx ry1; p3 rz1",
    )
    .unwrap();
    let w = shrunk(
        &Transactions {
            options: TxnOptions::default(),
        },
        &h,
    );
    let Anomaly::Txn(a) = &w.anomaly else {
        panic!("{w}")
    };
    assert_eq!(w.history.calls().unwrap().len(), a.txns().len(), "{w}");
    assert!(w.to_string().contains("cycle"), "{w}");
}

#[test]
fn a_composition_gives_the_witness_of_its_first_invalid_checker() {
    let h = notation::history("0:w1 0:ok 0:w2 0:ok 1:r 1:ok1");
    // The set checker cannot read a register's reads (not lists): Unknown, no witness to give.
    let c = Compose::new()
        .with(SetInvariants {
            options: SetOptions::default(),
        })
        .with(register());
    let j = c.check(&h);
    let w = c.witness(&h, &j).expect("a witness");
    assert!(matches!(w.anomaly, Anomaly::NotLinearizable(_)), "{w}");
}

#[test]
fn a_valid_history_has_no_witness_and_says_so() {
    let h = notation::history("0:w1 0:ok 1:r 1:ok1");
    let j = register().check(&h);
    let e = register().witness(&h, &j).unwrap_err();
    assert!(e.to_string().contains("not invalid"), "{e}");
}
