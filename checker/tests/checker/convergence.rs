//! Eventual convergence: final reads after the final heal (the last nemesis op), converged and
//! complete verdicts, differences per node, visibility latency and time to convergence.

use checker::convergence::{self, ConvergenceOptions, StateKind};
use checker::Verdict;
use histories::{History, Op, OpType, Process};
use serde_json::{json, Value};

/// Builds histories one event at a time, with explicit times.
#[derive(Default)]
struct H {
    ops: Vec<Op>,
}

// The builders take every field of an event positionally: the tests read like the history.
#[allow(clippy::too_many_arguments)]
impl H {
    fn ev(
        &mut self,
        p: Process,
        kind: OpType,
        f: &str,
        key: Option<Value>,
        v: Value,
        t: u64,
        node: &str,
    ) {
        let i = self.ops.len() as u64;
        let mut op = Op::new(i, t, p, kind, f, v);
        op.key = key;
        if p != Process::Nemesis {
            op.node = Some(node.to_string());
        }
        self.ops.push(op);
    }
    /// A whole call on `node`: invoked at `t`, ok at `t + 1`.
    fn call(
        &mut self,
        p: u64,
        node: &str,
        f: &str,
        key: Option<Value>,
        arg: Value,
        res: Value,
        t: u64,
    ) -> &mut Self {
        self.ev(
            Process::Client(p),
            OpType::Invoke,
            f,
            key.clone(),
            arg,
            t,
            node,
        );
        self.ev(Process::Client(p), OpType::Ok, f, key, res, t + 1, node);
        self
    }
    fn add(&mut self, p: u64, node: &str, e: i64, t: u64) -> &mut Self {
        self.call(p, node, "add", None, json!(e), json!(e), t)
    }
    fn read(&mut self, p: u64, node: &str, v: Value, t: u64) -> &mut Self {
        self.call(p, node, "read", None, Value::Null, v, t)
    }
    fn heal(&mut self, t: u64) -> &mut Self {
        self.ev(
            Process::Nemesis,
            OpType::Info,
            "heal",
            None,
            Value::Null,
            t,
            "",
        );
        self
    }
    fn history(&self) -> History {
        History::from_ops(self.ops.clone())
    }
}

fn check(h: &H, state: StateKind) -> convergence::ConvergenceReport {
    convergence::check(&h.history(), &ConvergenceOptions { state }).unwrap()
}

#[test]
fn nodes_holding_every_acknowledged_element_converged_and_are_complete() {
    let mut h = H::default();
    h.add(0, "n1", 1, 0).add(1, "n2", 2, 2).heal(10);
    h.read(10, "n1", json!([2, 1]), 20)
        .read(11, "n2", json!([1, 2]), 22)
        .read(12, "n3", json!([1, 2]), 24);
    let r = check(&h, StateKind::Set);
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert!(r.converged && r.complete);
    assert_eq!(r.convergence_time, Some(25 - 10));
    assert_eq!(r.visibility.len(), 2);
}

#[test]
fn a_node_lacking_an_element_did_not_converge_and_says_what_it_lacks() {
    let mut h = H::default();
    h.add(0, "n1", 1, 0).add(1, "n2", 2, 2).heal(10);
    h.read(10, "n1", json!([1, 2]), 20)
        .read(11, "n2", json!([1, 2]), 22)
        .read(12, "n3", json!([1]), 24);
    let r = check(&h, StateKind::Set);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(!r.converged);
    assert_eq!(r.differences.len(), 1);
    assert_eq!(r.differences[0].node, "n3");
    assert_eq!(r.differences[0].missing, vec![json!(2)]);
    assert_eq!(r.convergence_time, None);
    assert_eq!(r.missing[0].nodes, vec!["n3".to_string()]);
}

#[test]
fn nodes_agreeing_on_a_state_without_an_acknowledged_write_are_incomplete() {
    let mut h = H::default();
    h.add(0, "n1", 1, 0).add(1, "n2", 2, 2).heal(10);
    h.read(10, "n1", json!([1]), 20)
        .read(11, "n2", json!([1]), 22);
    let r = check(&h, StateKind::Set);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.converged && !r.complete);
    assert_eq!(r.missing[0].value, json!(2));
    assert_eq!(r.missing[0].index, Some(2));
}

#[test]
fn a_node_never_read_after_the_heal_makes_the_verdict_unknown() {
    let mut h = H::default();
    h.add(0, "n3", 1, 0).heal(10);
    h.read(10, "n1", json!([1]), 20)
        .read(11, "n2", json!([1]), 22);
    let r = check(&h, StateKind::Set);
    assert!(matches!(r.verdict, Verdict::Unknown { .. }), "{r}");
    assert_eq!(r.unread, vec!["n3".to_string()]);
}

#[test]
fn reads_before_the_heal_are_not_final_reads() {
    let mut h = H::default();
    h.add(0, "n1", 1, 0).read(1, "n2", json!([]), 2).heal(10);
    h.read(10, "n1", json!([1]), 20);
    let r = check(&h, StateKind::Set);
    assert!(matches!(r.verdict, Verdict::Unknown { .. }), "{r}");
    assert_eq!(r.unread, vec!["n2".to_string()]);
}

#[test]
fn visibility_latency_runs_from_acknowledgement_to_the_last_node_showing_it_for_good() {
    let mut h = H::default();
    h.add(0, "n1", 1, 0); // acknowledged at 1
    h.read(1, "n1", json!([1]), 3)
        .read(2, "n2", json!([]), 5)
        .read(3, "n2", json!([1]), 7);
    h.read(4, "n1", json!([]), 9)
        .read(5, "n1", json!([1]), 11)
        .heal(20);
    h.read(10, "n1", json!([1]), 30)
        .read(11, "n2", json!([1]), 32);
    let r = check(&h, StateKind::Set);
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    let v = &r.visibility[0];
    // n2 from its read completing at 8; n1 only from 12 (it lost the element at 10).
    assert_eq!(v.everywhere, Some(12));
    assert_eq!(v.latency, Some(11));
    assert_eq!(r.max_latency(), Some(11));
}

#[test]
fn time_to_convergence_counts_from_the_heal_until_the_nodes_agree_for_good() {
    let mut h = H::default();
    h.add(0, "n1", 1, 0).heal(100);
    h.read(10, "n1", json!([1]), 110)
        .read(11, "n2", json!([]), 120)
        .read(12, "n2", json!([1]), 130);
    let r = check(&h, StateKind::Set);
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert_eq!(r.convergence_time, Some(131 - 100));
}

#[test]
fn a_register_write_overwritten_by_a_concurrent_one_is_superseded_not_lost() {
    let mut h = H::default();
    let k = Some(json!("x"));
    h.ev(
        Process::Client(0),
        OpType::Invoke,
        "write",
        k.clone(),
        json!(1),
        0,
        "n1",
    );
    h.ev(
        Process::Client(1),
        OpType::Invoke,
        "write",
        k.clone(),
        json!(2),
        1,
        "n2",
    );
    h.ev(
        Process::Client(0),
        OpType::Ok,
        "write",
        k.clone(),
        json!(1),
        2,
        "n1",
    );
    h.ev(
        Process::Client(1),
        OpType::Ok,
        "write",
        k.clone(),
        json!(2),
        3,
        "n2",
    );
    h.heal(10);
    h.call(5, "n1", "read", k.clone(), Value::Null, json!(2), 20);
    h.call(6, "n2", "read", k.clone(), Value::Null, json!(2), 22);
    let r = check(&h, StateKind::Register);
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
}

#[test]
fn a_register_keeping_an_older_write_lost_the_acknowledged_later_one() {
    let mut h = H::default();
    let k = Some(json!("x"));
    h.call(0, "n1", "write", k.clone(), json!(2), json!(2), 0);
    h.call(1, "n2", "write", k.clone(), json!(1), json!(1), 5);
    h.heal(10);
    h.call(5, "n1", "read", k.clone(), Value::Null, json!(2), 20);
    h.call(6, "n2", "read", k.clone(), Value::Null, json!(2), 22);
    let r = check(&h, StateKind::Register);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.converged && !r.complete);
    assert_eq!(r.missing[0].value, json!(1));
}

#[test]
fn an_acknowledged_booking_must_survive_unless_its_guest_cancelled() {
    let room = Some(json!(7));
    let mut h = H::default();
    h.call(0, "n1", "book", room.clone(), json!("ann"), json!(true), 0)
        .heal(10);
    h.call(
        5,
        "n1",
        "available",
        room.clone(),
        Value::Null,
        Value::Null,
        20,
    );
    h.call(
        6,
        "n2",
        "available",
        room.clone(),
        Value::Null,
        Value::Null,
        22,
    );
    let r = check(&h, StateKind::Booking);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert_eq!(r.missing[0].value, json!("ann"));

    let mut h = H::default();
    h.call(0, "n1", "book", room.clone(), json!("ann"), json!(true), 0);
    h.call(
        0,
        "n2",
        "cancel",
        room.clone(),
        json!("ann"),
        json!(true),
        4,
    )
    .heal(10);
    h.call(
        5,
        "n1",
        "available",
        room.clone(),
        Value::Null,
        Value::Null,
        20,
    );
    h.call(
        6,
        "n2",
        "available",
        room.clone(),
        Value::Null,
        Value::Null,
        22,
    );
    assert_eq!(check(&h, StateKind::Booking).verdict, Verdict::Valid);
}

#[test]
fn a_counter_below_its_acknowledged_increments_is_incomplete() {
    let mut h = H::default();
    h.call(0, "n1", "add", None, json!(2), json!(2), 0)
        .call(1, "n2", "add", None, json!(3), json!(3), 2)
        .heal(10);
    h.read(5, "n1", json!(5), 20).read(6, "n2", json!(5), 22);
    assert_eq!(check(&h, StateKind::Counter).verdict, Verdict::Valid);
    let mut h2 = H::default();
    h2.call(0, "n1", "add", None, json!(2), json!(2), 0)
        .call(1, "n2", "add", None, json!(3), json!(3), 2)
        .heal(10);
    h2.read(5, "n1", json!(3), 20).read(6, "n2", json!(3), 22);
    let r = check(&h2, StateKind::Counter);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert_eq!(r.missing[0].value, json!(5));
}

#[test]
fn list_append_final_transactions_read_every_key_on_every_node() {
    let mut h = H::default();
    h.call(
        0,
        "n1",
        "txn",
        None,
        json!([["append", "x", 1]]),
        json!([["append", "x", 1]]),
        0,
    )
    .heal(10);
    h.call(
        5,
        "n1",
        "txn",
        None,
        json!([["r", "x", null]]),
        json!([["r", "x", [1]]]),
        20,
    );
    h.call(
        6,
        "n2",
        "txn",
        None,
        json!([["r", "x", null]]),
        json!([["r", "x", []]]),
        22,
    );
    let r = check(&h, StateKind::ListAppend);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert_eq!(r.differences[0].node, "n2");
    assert_eq!(r.missing[0].nodes, vec!["n2".to_string()]);
}

/// `h` as a history whose header says its final reads are marked, with the reads from op index
/// `from` on marked final.
fn marked_from(h: &H, from: u64) -> History {
    let mut history = h.history();
    history
        .header
        .meta
        .insert("final_reads".into(), json!("marked"));
    for op in history
        .ops
        .iter_mut()
        .filter(|o| o.index >= from && o.f == "read")
    {
        op.extra.insert("final".into(), Value::Bool(true));
    }
    history
}

#[test]
fn a_marked_run_killed_before_its_final_reads_is_unknown_not_unconverged() {
    // The nodes disagree after the last fault, but these are workload reads: the run was killed
    // before its final reads.
    let mut h = H::default();
    h.add(0, "n1", 1, 0).heal(5);
    h.read(10, "n1", json!([1]), 20)
        .read(11, "n2", json!([]), 22);
    let unmarked = check(&h, StateKind::Set);
    assert_eq!(unmarked.verdict, Verdict::Invalid, "{unmarked}");
    let killed = marked_from(&h, u64::MAX);
    let r = convergence::check(
        &killed,
        &ConvergenceOptions {
            state: StateKind::Set,
        },
    )
    .unwrap();
    let Verdict::Unknown { reason } = &r.verdict else {
        panic!("{r}")
    };
    assert!(reason.contains("never reached its final reads"), "{reason}");
}

#[test]
fn marked_final_reads_are_the_final_reads_whatever_nemesis_ops_come_after_them() {
    // A nemesis op after the final reads (a fault at teardown) leaves no read after the last
    // nemesis op; the marks still say which reads are final.
    let mut h = H::default();
    h.add(0, "n1", 1, 0).heal(5);
    let from = h.ops.len() as u64;
    h.read(11, "n1", json!([1]), 20)
        .read(12, "n2", json!([1]), 22);
    h.heal(30);
    assert!(matches!(
        check(&h, StateKind::Set).verdict,
        Verdict::Unknown { .. }
    ));
    let r = convergence::check(
        &marked_from(&h, from),
        &ConvergenceOptions {
            state: StateKind::Set,
        },
    )
    .unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
}
