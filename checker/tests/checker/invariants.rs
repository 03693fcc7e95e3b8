//! Set (set-full), counter and booking invariants on small hand-built histories: each violation
//! found with the calls involved, and near misses passed.

use checker::invariants::booking::{self, BookingViolationKind};
use checker::invariants::counter;
use checker::invariants::set::{self, ElementOutcome, SetOptions};
use checker::Verdict;
use histories::{History, Op, OpType, Process};
use serde_json::{json, Value};

/// Builds histories event by event; time = index unless given.
#[derive(Default)]
struct H {
    ops: Vec<Op>,
}

impl H {
    fn ev(
        &mut self,
        p: u64,
        kind: OpType,
        f: &str,
        key: Option<Value>,
        v: Value,
        node: &str,
    ) -> &mut Self {
        let i = self.ops.len() as u64;
        let mut op = Op::new(i, i * 10, Process::Client(p), kind, f, v);
        op.key = key;
        op.node = Some(node.to_string());
        self.ops.push(op);
        self
    }
    fn call(
        &mut self,
        p: u64,
        node: &str,
        f: &str,
        key: Option<Value>,
        arg: Value,
        res: Value,
    ) -> &mut Self {
        self.ev(p, OpType::Invoke, f, key.clone(), arg, node)
            .ev(p, OpType::Ok, f, key, res, node)
    }
    fn add(&mut self, p: u64, e: i64) -> &mut Self {
        self.call(p, "n1", "add", None, json!(e), json!(e))
    }
    fn read(&mut self, p: u64, node: &str, v: Value) -> &mut Self {
        self.call(p, node, "read", None, Value::Null, v)
    }
    fn heal(&mut self) -> &mut Self {
        let i = self.ops.len() as u64;
        self.ops.push(Op::new(
            i,
            i * 10,
            Process::Nemesis,
            OpType::Info,
            "heal",
            Value::Null,
        ));
        self
    }
    fn history(&self) -> History {
        History::from_ops(self.ops.clone())
    }
}

fn set_check(h: &H) -> set::SetReport {
    set::check(&h.history(), &SetOptions::default()).unwrap()
}

#[test]
fn every_element_read_back_at_once_is_stable() {
    let mut h = H::default();
    h.add(0, 1)
        .add(0, 2)
        .read(1, "n1", json!([1, 2]))
        .read(2, "n2", json!([2, 1]));
    let r = set_check(&h);
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert_eq!(r.counts.get(&ElementOutcome::Stable), Some(&2));
}

#[test]
fn an_acknowledged_element_missing_from_a_final_read_is_lost() {
    let mut h = H::default();
    h.add(0, 1)
        .add(0, 2)
        .read(1, "n1", json!([1, 2]))
        .read(1, "n1", json!([1]));
    let r = set_check(&h);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    let lost: Vec<_> = r.with(ElementOutcome::Lost).collect();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].element, json!(2));
    assert_eq!(lost[0].witness.as_ref().unwrap().index, 6);
}

#[test]
fn an_element_that_appears_late_is_stale_with_its_latency() {
    let mut h = H::default();
    h.add(0, 1); // acknowledged at 10
    h.read(1, "n2", json!([])).read(1, "n2", json!([1])); // invoked at 20 and 40
    let r = set_check(&h);
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    let e = r.with(ElementOutcome::Stale).next().expect("stale");
    assert_eq!(e.latency, Some(40 - 10));
    let strict = set::check(&h.history(), &SetOptions { linearizable: true }).unwrap();
    assert_eq!(strict.verdict, Verdict::Invalid);
}

#[test]
fn an_element_read_twice_is_duplicated() {
    let mut h = H::default();
    h.add(0, 1).read(1, "n1", json!([1, 1]));
    let r = set_check(&h);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert_eq!(r.counts.get(&ElementOutcome::Duplicated), Some(&1));
}

#[test]
fn an_element_no_read_could_see_is_never_read_and_an_unread_set_is_unknown() {
    let mut h = H::default();
    h.read(1, "n1", json!([])).add(0, 1);
    let r = set_check(&h);
    assert_eq!(r.counts.get(&ElementOutcome::NeverRead), Some(&1));
    assert_eq!(r.verdict, Verdict::Valid);
    let mut h = H::default();
    h.add(0, 1);
    assert!(matches!(set_check(&h).verdict, Verdict::Unknown { .. }));
}

#[test]
fn an_indeterminate_add_may_be_absent_but_not_vanish_once_seen() {
    let mut h = H::default();
    h.ev(0, OpType::Invoke, "add", None, json!(1), "n1").ev(
        0,
        OpType::Info,
        "add",
        None,
        json!(1),
        "n1",
    );
    h.read(1, "n1", json!([]));
    assert_eq!(set_check(&h).verdict, Verdict::Valid);
    let mut h = H::default();
    h.ev(0, OpType::Invoke, "add", None, json!(1), "n1").ev(
        0,
        OpType::Info,
        "add",
        None,
        json!(1),
        "n1",
    );
    h.read(1, "n1", json!([1])).read(1, "n1", json!([]));
    let r = set_check(&h);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert_eq!(r.counts.get(&ElementOutcome::Lost), Some(&1));
}

#[test]
fn a_counter_within_its_bounds_is_valid_and_one_below_acknowledged_increments_is_not() {
    let mut h = H::default();
    h.call(0, "n1", "add", None, json!(2), json!(2)).call(
        0,
        "n1",
        "add",
        None,
        Value::Null,
        Value::Null,
    );
    h.ev(1, OpType::Invoke, "add", None, json!(5), "n2").ev(
        1,
        OpType::Info,
        "add",
        None,
        json!(5),
        "n2",
    );
    h.heal().read(2, "n1", json!(3)).read(3, "n2", json!(8));
    let r = counter::check(&h.history()).unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert_eq!((r.acknowledged, r.indeterminate), (3, 5));
    assert_eq!(r.finals, vec![3, 8]);

    let mut h = H::default();
    h.call(0, "n1", "add", None, json!(2), json!(2))
        .heal()
        .read(2, "n1", json!(1));
    let r = counter::check(&h.history()).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert_eq!((r.violations[0].lower, r.violations[0].upper), (2, 2));
}

#[test]
fn a_counter_read_above_every_possible_increment_is_caught() {
    let mut h = H::default();
    h.call(0, "n1", "add", None, json!(1), json!(1))
        .read(1, "n1", json!(2));
    let r = counter::check(&h.history()).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert_eq!(r.violations[0].read.index, 2);
}

#[test]
fn a_concurrent_increment_may_or_may_not_be_seen() {
    let mut h = H::default();
    h.ev(0, OpType::Invoke, "add", None, json!(1), "n1");
    h.read(1, "n1", json!(0)).read(1, "n1", json!(1));
    h.ev(0, OpType::Ok, "add", None, json!(1), "n1");
    assert_eq!(
        counter::check(&h.history()).unwrap().verdict,
        Verdict::Valid
    );
}

fn room() -> Option<Value> {
    Some(json!(101))
}

fn book(h: &mut H, p: u64, node: &str, guest: &str, ok: bool) {
    h.call(p, node, "book", room(), json!(guest), json!(ok));
}

fn available(h: &mut H, p: u64, node: &str, holder: Value) {
    h.call(p, node, "available", room(), Value::Null, holder);
}

#[test]
fn two_successful_bookings_without_a_cancel_are_a_double_booking() {
    let mut h = H::default();
    book(&mut h, 0, "n1", "ann", true);
    book(&mut h, 1, "n2", "bob", true);
    let r = booking::check(&h.history()).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    let v = r
        .of(BookingViolationKind::DoubleBooking)
        .next()
        .expect("double booking");
    assert_eq!(
        v.calls.iter().map(|c| c.index).collect::<Vec<_>>(),
        vec![0, 2]
    );
}

#[test]
fn a_cancel_between_two_bookings_makes_them_legitimate() {
    let mut h = H::default();
    book(&mut h, 0, "n1", "ann", true);
    h.call(0, "n1", "cancel", room(), json!("ann"), json!(true));
    book(&mut h, 1, "n2", "bob", true);
    book(&mut h, 2, "n2", "cat", false);
    available(&mut h, 3, "n1", json!("bob"));
    let r = booking::check(&h.history()).unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
}

#[test]
fn overlapping_bookings_separated_by_the_first_holders_cancel_are_not_a_double_booking() {
    // book(cat) and book(dan) overlap; dan's completes first, yet the order
    // book(cat), cancel(cat), book(dan) explains every answer.
    let mut h = H::default();
    h.ev(0, OpType::Invoke, "book", room(), json!("cat"), "n1");
    h.ev(1, OpType::Invoke, "cancel", room(), json!("cat"), "n1");
    h.ev(2, OpType::Invoke, "book", room(), json!("dan"), "n2");
    h.ev(2, OpType::Ok, "book", room(), json!(true), "n2");
    h.ev(1, OpType::Ok, "cancel", room(), json!(true), "n1");
    h.ev(0, OpType::Ok, "book", room(), json!(true), "n1");
    let r = booking::check(&h.history()).unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
}

#[test]
fn overlapping_bookings_with_no_cancel_by_either_guest_are_a_double_booking() {
    let mut h = H::default();
    h.ev(0, OpType::Invoke, "book", room(), json!("cat"), "n1");
    h.ev(2, OpType::Invoke, "book", room(), json!("dan"), "n2");
    h.ev(2, OpType::Ok, "book", room(), json!(true), "n2");
    h.ev(0, OpType::Ok, "book", room(), json!(true), "n1");
    let r = booking::check(&h.history()).unwrap();
    assert!(
        r.of(BookingViolationKind::DoubleBooking).next().is_some(),
        "{r}"
    );
}

#[test]
fn a_read_listing_two_holders_or_switching_holder_without_a_cancel_is_held_by_two() {
    let mut h = H::default();
    available(&mut h, 0, "n1", json!(["ann", "bob"]));
    let r = booking::check(&h.history()).unwrap();
    assert_eq!(r.of(BookingViolationKind::HeldByTwo).count(), 1, "{r}");

    let mut h = H::default();
    available(&mut h, 0, "n1", json!("ann"));
    available(&mut h, 1, "n2", json!("bob"));
    let r = booking::check(&h.history()).unwrap();
    let v = r
        .of(BookingViolationKind::HeldByTwo)
        .next()
        .expect("held by two");
    assert_eq!(v.calls.len(), 2);

    let mut h = H::default();
    available(&mut h, 0, "n1", json!("ann"));
    h.call(2, "n1", "cancel", room(), json!("ann"), Value::Null);
    available(&mut h, 1, "n2", json!("bob"));
    assert_eq!(
        booking::check(&h.history()).unwrap().verdict,
        Verdict::Valid
    );
}

#[test]
fn an_acknowledged_booking_missing_after_the_heal_is_lost_unless_cancelled() {
    let mut h = H::default();
    book(&mut h, 0, "n1", "ann", true);
    h.heal();
    available(&mut h, 1, "n1", json!("ann"));
    available(&mut h, 2, "n2", Value::Null);
    let r = booking::check(&h.history()).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    let v = r
        .of(BookingViolationKind::LostBooking)
        .next()
        .expect("lost booking");
    assert_eq!(v.calls[1].node.as_deref(), Some("n2"));
    assert!(v.to_string().contains("room free"), "{v}");

    let mut h = H::default();
    book(&mut h, 0, "n1", "ann", true);
    h.ev(0, OpType::Invoke, "cancel", room(), json!("ann"), "n1");
    h.ev(0, OpType::Info, "cancel", room(), json!("ann"), "n1");
    h.heal();
    available(&mut h, 1, "n1", Value::Null);
    available(&mut h, 2, "n2", Value::Null);
    assert_eq!(
        booking::check(&h.history()).unwrap().verdict,
        Verdict::Valid
    );
}

#[test]
fn a_booking_is_lost_only_by_marked_final_reads_when_the_header_marks_them() {
    // The same reads as a lost booking, but a run killed before its final reads: the header
    // marks final reads and none is marked, so nothing shows the booking lost.
    let mut h = H::default();
    book(&mut h, 0, "n1", "ann", true);
    h.heal();
    available(&mut h, 1, "n1", json!("ann"));
    available(&mut h, 2, "n2", Value::Null);
    let mut killed = h.history();
    killed
        .header
        .meta
        .insert("final_reads".into(), json!("marked"));
    let r = booking::check(&killed).unwrap();
    assert_eq!(r.of(BookingViolationKind::LostBooking).count(), 0, "{r}");
    // Marked, the read of a free room is final again, and shows the booking lost.
    let last = killed.ops.len() - 2;
    for op in &mut killed.ops[last..] {
        op.extra.insert("final".into(), Value::Bool(true));
    }
    let r = booking::check(&killed).unwrap();
    assert_eq!(r.of(BookingViolationKind::LostBooking).count(), 1, "{r}");
}
