//! The shrunk witness of an invalid linearizability verdict: the failing key's calls reduced by
//! delta debugging to a 1-minimal sub-history that is still invalid *and grounded*: every value a
//! kept read observed was written (or booked) by a kept call. Without that rule the smallest
//! invalid sub-history is usually one read of a value nobody wrote (or a booking refused though
//! nobody booked), which is true but explains nothing; with it the witness is the write, the later
//! write and the stale read.

use checker::linear::shrink::{ddmin, sub_history};
use checker::linear::{check_history, Options};
use checker::model::ModelSpec;
use checker::Verdict;
use histories::{Call, History, Op, Outcome};
use serde_json::Value;

/// How many calls the failing key may have for its witness to be shrunk (ddmin checks many
/// sub-histories).
const SHRINK_MAX_CALLS: usize = 4000;

/// The value a call puts in its object, if it puts one (write, cas's new value, a booking's guest;
/// a refused booking puts nothing).
fn written(c: &Call) -> Option<&Value> {
    match c.f.as_str() {
        "book" if c.outcome == Outcome::Ok && c.result == Value::Bool(false) => None,
        "write" | "book" | "add" => Some(&c.argument),
        "cas" => c.argument.get(1),
        _ => None,
    }
}

/// What a call's outcome says was in its object before it: `Some(Some(v))` the value `v` (a read
/// of `v`, a successful cas from `v`, a cancel by the guest who held the room), `Some(None)`
/// something, whatever it was (a booking refused because the room was held); `None` nothing that
/// a write must explain.
fn observed(c: &Call) -> Option<Option<&Value>> {
    if c.outcome != Outcome::Ok {
        return None;
    }
    match c.f.as_str() {
        "read" | "available" if !c.result.is_null() => Some(Some(&c.result)),
        "cas" => c.argument.get(0).filter(|v| !v.is_null()).map(Some),
        "cancel" if c.result == Value::Bool(true) => Some(Some(&c.argument)),
        "book" if c.result == Value::Bool(false) => Some(None),
        _ => None,
    }
}

/// Whether what every kept call observed was put there by a kept call that did not fail and was
/// invoked before the observation completed.
fn grounded(calls: &[Call], keep: &[usize]) -> bool {
    keep.iter().all(|&i| {
        let Some(seen) = observed(&calls[i]) else {
            return true;
        };
        let observed_by = calls[i].complete_index.unwrap_or(u64::MAX);
        keep.iter().any(|&j| {
            let w = &calls[j];
            w.outcome != Outcome::Fail
                && w.invoke_index < observed_by
                && match (written(w), seen) {
                    (Some(v), Some(s)) => v == s,
                    (Some(_), None) => w.f == "book" && w.result != Value::Bool(false),
                    (None, _) => false,
                }
        })
    })
}

/// Whether a call may have changed its object (an update that did not fail and was not refused).
fn effectful(c: &Call) -> bool {
    let refused = c.outcome == Outcome::Ok && c.result == Value::Bool(false);
    matches!(c.f.as_str(), "write" | "cas" | "book" | "cancel" | "add")
        && c.outcome != Outcome::Fail
        && !refused
}

/// The failing `key`'s calls of `history`, shrunk to a grounded 1-minimal invalid sub-history;
/// `None` when the key has too many calls, or its calls are not grounded to begin with (a read of
/// a value never written is its own witness).
pub fn witness(
    history: &History,
    key: &Value,
    spec: &ModelSpec,
    options: &Options,
) -> Option<History> {
    let ops: Vec<Op> = history
        .client_ops()
        .filter(|o| key.is_null() || o.key.as_ref() == Some(key))
        .cloned()
        .collect();
    let mut sub = History::from_ops(ops);
    sub.header = history.header.clone();
    let calls = sub.calls().ok()?;
    if calls.len() > SHRINK_MAX_CALLS {
        return None;
    }
    let quick = Options {
        explain: false,
        all_keys: false,
        ..options.clone()
    };
    let judge = |keep: &[usize]| {
        check_history(&sub_history(&sub, &calls, keep), spec, &quick).map(|r| r.verdict)
    };
    let updates = |keep: &[usize]| -> Vec<usize> {
        keep.iter()
            .copied()
            .filter(|&i| effectful(&calls[i]))
            .collect()
    };
    let all: Vec<usize> = (0..calls.len()).collect();
    // Dropping an update can make a history invalid that was not (a booking whose cancellation
    // was dropped): unless the updates alone were already invalid, they must stay valid.
    let updates_valid = matches!(judge(&updates(&all)), Ok(Verdict::Valid));
    let invalid = |keep: &[usize]| {
        grounded(&calls, keep)
            && matches!(judge(keep), Ok(Verdict::Invalid))
            && (!updates_valid || matches!(judge(&updates(keep)), Ok(Verdict::Valid)))
    };
    if !invalid(&all) {
        return None;
    }
    let kept = ddmin(all, invalid);
    Some(sub_history(&sub, &calls, &kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use checker::model::spec::ModelKind;
    use histories::{OpType, Process};
    use serde_json::json;

    fn call(ops: &mut Vec<Op>, p: u64, f: &str, arg: Value, kind: OpType, result: Value) {
        let i = ops.len() as u64;
        ops.push(Op::new(i, i, Process::Client(p), OpType::Invoke, f, arg).with_key(json!(0)));
        ops.push(Op::new(i + 1, i + 1, Process::Client(p), kind, f, result).with_key(json!(0)));
    }

    #[test]
    fn a_stale_read_shrinks_to_the_bookings_that_explain_it_not_to_a_lone_read() {
        let mut ops = Vec::new();
        call(
            &mut ops,
            1,
            "available",
            Value::Null,
            OpType::Ok,
            Value::Null,
        );
        call(&mut ops, 1, "book", json!("g1"), OpType::Ok, json!(true));
        call(
            &mut ops,
            2,
            "available",
            Value::Null,
            OpType::Ok,
            json!("g1"),
        );
        call(&mut ops, 1, "cancel", json!("g1"), OpType::Ok, json!(true));
        call(&mut ops, 3, "book", json!("g2"), OpType::Ok, json!(true));
        call(&mut ops, 2, "book", json!("g3"), OpType::Ok, json!(false));
        call(
            &mut ops,
            2,
            "available",
            Value::Null,
            OpType::Ok,
            json!("g1"),
        );
        let h = History::from_ops(ops);
        let spec = ModelSpec::new(ModelKind::Booking);
        let w = witness(&h, &json!(0), &spec, &Options::default()).expect("a witness");
        let calls = w.calls().unwrap();
        assert!(calls.len() >= 3, "{calls:?}");
        let all: Vec<usize> = (0..calls.len()).collect();
        assert!(grounded(&calls, &all));
        let stale = calls.iter().filter(|c| c.f == "available").count();
        assert_eq!(stale, 1, "one stale read suffices: {calls:?}");
    }
}
