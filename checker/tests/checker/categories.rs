//! Anomaly categories, as the demo and campaign tables show them: what each checker found, named
//! as a reader would name it and counted.

use crate::notation::history;
use checker::categories::Categories;
use checker::checkers::{BookingInvariants, Checker, Compose, Linearizable};
use checker::linear::Options;
use checker::model::spec::ModelKind;
use checker::model::ModelSpec;
use histories::{History, Op, OpType, Process};
use serde_json::{json, Value};

fn register() -> Linearizable {
    Linearizable {
        spec: ModelSpec::new(ModelKind::CasRegister),
        options: Options::default(),
    }
}

/// Booking calls `(process, f, argument, result)` on room 1, one after the other.
fn serial(calls: &[(u64, &str, Value, Value)]) -> History {
    let mut ops = Vec::new();
    for (p, f, arg, result) in calls {
        let i = ops.len() as u64;
        let at = |i: u64, kind, v: Value| {
            Op::new(i, i * 1000, Process::Client(*p), kind, f, v).with_key(json!(1))
        };
        ops.push(at(i, OpType::Invoke, arg.clone()));
        ops.push(at(i + 1, OpType::Ok, result.clone()));
    }
    History::from_ops(ops)
}

#[test]
fn a_stale_read_is_named_a_stale_read() {
    let j = register().check(&history("0:w1 0:ok 0:w2 0:ok 1:r 1:ok1"));
    assert_eq!(Categories::of_all([&j]).to_string(), "stale read x1");
}

#[test]
fn a_write_that_cannot_be_placed_is_not_a_stale_read() {
    // A cas from 1 after 2 replaced it: an update, not a read, is what cannot be placed.
    let j = register().check(&history("0:w1 0:ok 0:w2 0:ok 1:c1-3 1:ok"));
    let c = Categories::of_all([&j]).to_string();
    assert!(!c.contains("stale read") && c != "none", "{c}");
}

#[test]
fn a_composition_counts_every_part_and_a_valid_one_names_none() {
    let h = serial(&[
        (1, "available", Value::Null, Value::Null),
        (1, "book", json!("ann"), json!(true)),
        (2, "book", json!("bob"), json!(true)),
        (3, "book", json!("cid"), json!(true)),
    ]);
    let j = Compose::new().with(BookingInvariants).check(&h);
    assert_eq!(Categories::of_all([&j]).to_string(), "double booking x2");
    let fine = serial(&[(1, "book", json!("ann"), json!(true))]);
    let j = Compose::new().with(BookingInvariants).check(&fine);
    assert_eq!(Categories::of_all([&j]).to_string(), "none");
}
