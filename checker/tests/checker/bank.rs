//! The bank checker: histories of a simulated serializable bank pass, each kind of violation is
//! caught with the read that shows it, and a near miss of each is not flagged.

use checker::checkers::BankInvariants;
use checker::invariants::bank::{self, BankAnomaly, BankOptions, BankViolationKind};
use checker::{Checker, Evidence, Verdict};
use histories::{History, Op, OpType, Process};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Builds a history event by event: op i happens at time 10 i.
#[derive(Default)]
struct H {
    ops: Vec<Op>,
    open: BTreeMap<u64, String>,
}

impl H {
    fn push(&mut self, p: u64, kind: OpType, f: &str, v: Value) -> &mut Self {
        let i = self.ops.len() as u64;
        self.ops
            .push(Op::new(i, i * 10, Process::Client(p), kind, f, v));
        self
    }
    fn invoke_transfer(&mut self, p: u64, from: u64, to: u64, amount: i64) -> &mut Self {
        self.open.insert(p, "transfer".into());
        let v = json!({"from": from, "to": to, "amount": amount});
        self.push(p, OpType::Invoke, "transfer", v)
    }
    fn invoke_read(&mut self, p: u64) -> &mut Self {
        self.open.insert(p, "read".into());
        self.push(p, OpType::Invoke, "read", Value::Null)
    }
    fn end(&mut self, p: u64, kind: OpType, v: Value) -> &mut Self {
        let f = self.open.remove(&p).expect("an open call");
        self.push(p, kind, &f, v)
    }
    fn transfer(&mut self, p: u64, from: u64, to: u64, amount: i64, kind: OpType) -> &mut Self {
        let v = json!({"from": from, "to": to, "amount": amount});
        self.invoke_transfer(p, from, to, amount).end(p, kind, v)
    }
    fn read(&mut self, p: u64, balances: Value) -> &mut Self {
        self.invoke_read(p).end(p, OpType::Ok, balances)
    }
    fn history(&self) -> History {
        History::from_ops(self.ops.clone())
    }
}

/// Two accounts, `0` and `1`, with 50 each; negative balances forbidden.
fn two() -> BankOptions {
    BankOptions::uniform(2, 50)
}

fn real_time(mut o: BankOptions) -> BankOptions {
    o.real_time = true;
    o
}

fn kinds(h: &H, o: &BankOptions) -> Vec<BankViolationKind> {
    let r = bank::check(&h.history(), o).expect("a well-formed bank history");
    let mut ks: Vec<_> = r.counts.keys().copied().collect();
    ks.dedup();
    if ks.is_empty() {
        assert_eq!(r.verdict, Verdict::Valid, "{r}");
    } else {
        assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    }
    ks
}

use BankViolationKind::*;

#[test]
fn a_read_whose_balances_do_not_add_up_is_a_wrong_total() {
    let mut h = H::default();
    h.transfer(0, 0, 1, 10, OpType::Ok)
        .read(1, json!({"0": 50, "1": 60}));
    let r = bank::check(&h.history(), &two()).unwrap();
    let total: Vec<_> = r.of(WrongTotal).collect();
    assert_eq!(total.len(), 1, "{r}");
    assert_eq!(
        total[0].anomaly,
        BankAnomaly::WrongTotal {
            total: 110,
            expected: 100
        }
    );
    assert_eq!(total[0].read.index, 2);
    assert!(r.to_string().contains("money was made 10"), "{r}");
}

#[test]
fn a_read_that_adds_up_after_a_transfer_is_valid() {
    let mut h = H::default();
    h.transfer(0, 0, 1, 10, OpType::Ok)
        .read(1, json!({"0": 40, "1": 60}));
    assert_eq!(kinds(&h, &two()), vec![]);
    assert_eq!(kinds(&h, &real_time(two())), vec![]);
}

#[test]
fn a_negative_balance_is_flagged_only_where_forbidden() {
    let mut h = H::default();
    h.transfer(0, 0, 1, 60, OpType::Ok)
        .read(1, json!({"0": -10, "1": 110}));
    assert_eq!(kinds(&h, &two()), vec![NegativeBalance]);
    let mut allowed = two();
    allowed.negative_allowed = true;
    assert_eq!(kinds(&h, &allowed), vec![]);
}

#[test]
fn a_zero_balance_is_not_negative() {
    let mut h = H::default();
    h.transfer(0, 0, 1, 50, OpType::Ok)
        .read(1, json!({"0": 0, "1": 100}));
    assert_eq!(kinds(&h, &real_time(two())), vec![]);
}

#[test]
fn an_account_the_test_did_not_create_is_unexpected_and_not_counted_in_the_total() {
    let mut h = H::default();
    h.read(0, json!({"0": 50, "1": 50, "2": 7}));
    let r = bank::check(&h.history(), &two()).unwrap();
    assert_eq!(
        r.counts.keys().copied().collect::<Vec<_>>(),
        vec![UnexpectedAccount]
    );
    let v = r.of(UnexpectedAccount).next().unwrap();
    assert!(
        matches!(&v.anomaly, BankAnomaly::UnexpectedAccount { account, .. } if account == "2"),
        "{v}"
    );
}

#[test]
fn accounts_named_by_integers_in_transfers_match_the_reads_keys() {
    // Jepsen's EDN maps {0 50, 1 50} read as JSON objects with keys "0" and "1".
    let mut h = H::default();
    h.transfer(0, 1, 0, 5, OpType::Ok)
        .read(1, json!({"0": 55, "1": 45}));
    assert_eq!(kinds(&h, &real_time(two())), vec![]);
}

#[test]
fn a_missing_account_is_flagged_and_the_total_is_not_judged() {
    let mut h = H::default();
    h.read(0, json!({"0": 50}));
    assert_eq!(kinds(&h, &two()), vec![MissingAccount]);
}

#[test]
fn a_null_balance_is_nil_and_the_total_is_not_judged() {
    let mut h = H::default();
    h.read(0, json!({"0": null, "1": 50}));
    assert_eq!(kinds(&h, &two()), vec![NilBalance]);
}

#[test]
fn a_balance_no_transfer_explains_is_impossible_though_the_total_holds() {
    // One transfer of 10 cannot take account 0 down to 30.
    let mut h = H::default();
    h.transfer(0, 0, 1, 10, OpType::Ok)
        .read(1, json!({"0": 30, "1": 70}));
    let r = bank::check(&h.history(), &two()).unwrap();
    assert_eq!(
        r.counts.keys().copied().collect::<Vec<_>>(),
        vec![ImpossibleBalance]
    );
    assert_eq!(r.counts[&ImpossibleBalance], 2, "both accounts: {r}");
    assert!(r.violations.iter().any(|v| v.anomaly
        == BankAnomaly::ImpossibleBalance {
            account: "0".into(),
            balance: 30,
            lower: 40,
            upper: 50,
            real_time: false
        }));
}

#[test]
fn an_indeterminate_transfer_may_explain_a_balance() {
    let mut h = H::default();
    h.transfer(0, 0, 1, 10, OpType::Ok)
        .transfer(1, 0, 1, 10, OpType::Info)
        .read(2, json!({"0": 30, "1": 70}));
    assert_eq!(kinds(&h, &real_time(two())), vec![]);
}

#[test]
fn a_failed_transfer_seen_by_a_read_is_impossible() {
    let mut h = H::default();
    h.transfer(0, 0, 1, 10, OpType::Fail)
        .read(1, json!({"0": 40, "1": 60}));
    assert_eq!(kinds(&h, &two()), vec![ImpossibleBalance]);
    let r = bank::check(&h.history(), &two()).unwrap();
    assert_eq!(r.transfers.failed, 1);
}

#[test]
fn a_read_cannot_see_a_transfer_begun_after_it_ended() {
    let mut h = H::default();
    h.read(1, json!({"0": 40, "1": 60}))
        .transfer(0, 0, 1, 10, OpType::Ok);
    assert_eq!(kinds(&h, &two()), vec![ImpossibleBalance]);
}

#[test]
fn a_read_may_see_a_transfer_still_in_flight() {
    let mut h = H::default();
    h.invoke_transfer(0, 0, 1, 10)
        .read(1, json!({"0": 40, "1": 60}))
        .end(0, OpType::Ok, json!({"from": 0, "to": 1, "amount": 10}));
    assert_eq!(kinds(&h, &real_time(two())), vec![]);
}

#[test]
fn a_read_missing_an_acknowledged_transfer_is_stale_only_under_real_time() {
    let mut h = H::default();
    h.transfer(0, 0, 1, 10, OpType::Ok)
        .read(1, json!({"0": 50, "1": 50}));
    assert_eq!(
        kinds(&h, &two()),
        vec![],
        "serializable: the read may come first"
    );
    let r = bank::check(&h.history(), &real_time(two())).unwrap();
    assert_eq!(
        r.counts.keys().copied().collect::<Vec<_>>(),
        vec![ImpossibleBalance]
    );
    assert!(
        r.to_string().contains("acknowledged before the read began"),
        "{r}"
    );
}

#[test]
fn a_read_concurrent_with_a_transfer_may_miss_it_even_under_real_time() {
    let mut h = H::default();
    h.invoke_read(1).transfer(0, 0, 1, 10, OpType::Ok).end(
        1,
        OpType::Ok,
        json!({"0": 50, "1": 50}),
    );
    assert_eq!(kinds(&h, &real_time(two())), vec![]);
}

#[test]
fn no_ok_read_is_unknown_never_valid() {
    let mut h = H::default();
    h.transfer(0, 0, 1, 10, OpType::Ok)
        .invoke_read(1)
        .end(1, OpType::Fail, Value::Null);
    let r = bank::check(&h.history(), &two()).unwrap();
    assert!(matches!(r.verdict, Verdict::Unknown { .. }), "{r}");
}

#[test]
fn a_read_that_is_not_an_object_cannot_be_judged_and_the_checker_says_unknown() {
    let mut h = H::default();
    h.read(0, json!([50, 50]));
    let e = bank::check(&h.history(), &two()).unwrap_err().to_string();
    assert!(e.contains("object of account -> balance"), "{e}");
    let j = BankInvariants { options: two() }.check(&h.history());
    assert!(
        matches!(j.verdict, Verdict::Unknown { .. }),
        "{:?}",
        j.verdict
    );
}

#[test]
fn a_transfer_naming_an_unknown_account_or_no_amount_is_refused() {
    let mut h = H::default();
    h.transfer(0, 0, 7, 10, OpType::Ok);
    let e = bank::check(&h.history(), &two()).unwrap_err().to_string();
    assert!(e.contains("account 7"), "{e}");
    let mut h = H::default();
    h.transfer(0, 0, 1, 0, OpType::Ok);
    let e = bank::check(&h.history(), &two()).unwrap_err().to_string();
    assert!(e.contains("positive integer"), "{e}");
}

#[test]
fn the_checker_keeps_its_report_as_evidence() {
    let mut h = H::default();
    h.read(0, json!({"0": 50, "1": 51}));
    let j = BankInvariants { options: two() }.check(&h.history());
    assert_eq!(j.verdict, Verdict::Invalid);
    assert!(matches!(&j.evidence, Evidence::Bank(r) if r.counts[&WrongTotal] == 1));
    assert_eq!(j.details()["counts"]["wrong-total"], 1);
    let details = j.details();
    let listed = details["violations"].as_array().unwrap();
    assert!(listed
        .iter()
        .any(|v| v["kind"] == "wrong-total" && v["total"] == 101));
}

/// A serializable bank simulated with real time: each op takes effect atomically at a point
/// between its invocation and completion; a transfer that would overdraw fails; some
/// transfers end indeterminate, applied or not.
fn simulated(seed: u64, accounts: usize, ops: usize) -> (History, BankOptions) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let opts = BankOptions::uniform(accounts, 20);
    let mut state: Vec<i64> = vec![20; accounts];
    let mut h = H::default();
    // Per process slot: the client process id and its pending op, if any.
    struct Pending {
        f: Value,
        applied: Option<Value>,
        info: bool,
    }
    let mut procs: Vec<(u64, Option<Pending>)> = (0..4).map(|p| (p, None)).collect();
    let mut next_process = 4;
    let mut invoked = 0;
    while invoked < ops || procs.iter().any(|(_, p)| p.is_some()) {
        let slot = rng.gen_range(0..procs.len());
        let (p, pending) = &mut procs[slot];
        match pending {
            None if invoked < ops => {
                invoked += 1;
                if rng.gen_bool(0.3) {
                    h.invoke_read(*p);
                    *pending = Some(Pending {
                        f: Value::Null,
                        applied: None,
                        info: false,
                    });
                } else {
                    let from = rng.gen_range(0..accounts);
                    let to = (from + rng.gen_range(1..accounts)) % accounts;
                    let amount = rng.gen_range(1..=8);
                    h.invoke_transfer(*p, from as u64, to as u64, amount);
                    *pending = Some(Pending {
                        f: json!({"from": from, "to": to, "amount": amount}),
                        applied: None,
                        info: rng.gen_bool(0.1),
                    });
                }
            }
            None => {}
            Some(op) if op.applied.is_none() => {
                // The op's linearization point.
                op.applied = Some(if op.f.is_null() {
                    let balances: serde_json::Map<String, Value> = state
                        .iter()
                        .enumerate()
                        .map(|(a, b)| (a.to_string(), json!(b)))
                        .collect();
                    Value::Object(balances)
                } else {
                    let (from, to) = (op.f["from"].as_u64().unwrap(), op.f["to"].as_u64().unwrap());
                    let amount = op.f["amount"].as_i64().unwrap();
                    let lost = op.info && rng.gen_bool(0.5);
                    if state[from as usize] < amount || lost {
                        Value::Bool(false)
                    } else {
                        state[from as usize] -= amount;
                        state[to as usize] += amount;
                        Value::Bool(true)
                    }
                });
            }
            Some(op) => {
                let applied = op.applied.take().unwrap();
                if op.info {
                    h.end(*p, OpType::Info, op.f.clone());
                    *p = next_process;
                    next_process += 1;
                } else if op.f.is_null() {
                    h.end(*p, OpType::Ok, applied);
                } else if applied == Value::Bool(true) {
                    h.end(*p, OpType::Ok, op.f.clone());
                } else {
                    h.end(*p, OpType::Fail, op.f.clone());
                }
                *pending = None;
            }
        }
    }
    (h.history(), opts)
}

#[test]
fn simulated_serializable_banks_are_valid_with_and_without_real_time() {
    for seed in 0..40 {
        let (history, opts) = simulated(seed, 4, 150);
        for o in [opts.clone(), real_time(opts)] {
            let r = bank::check(&history, &o).unwrap();
            assert_eq!(r.verdict, Verdict::Valid, "seed {seed}: {r}");
            assert!(r.reads > 0 && r.transfers.ok > 0, "seed {seed}: {r}");
        }
    }
}

#[test]
fn a_simulated_bank_that_loses_an_update_is_caught() {
    // The same bank with one read's balance of account 0 bumped by one: money made.
    for seed in 0..10 {
        let (history, opts) = simulated(seed, 4, 150);
        let mut ops = history.ops.clone();
        let read = ops
            .iter_mut()
            .find(|o| o.kind == OpType::Ok && o.f == "read")
            .expect("a read");
        let b = read.value["0"].as_i64().unwrap();
        read.value["0"] = json!(b + 1);
        let r = bank::check(&History::from_ops(ops), &opts).unwrap();
        assert_eq!(r.verdict, Verdict::Invalid, "seed {seed}: {r}");
        assert_eq!(r.counts.get(&WrongTotal), Some(&1), "seed {seed}: {r}");
    }
}

#[test]
fn opening_balances_read_from_a_header_round_trip_and_anything_else_is_refused_by_shape() {
    let options = BankOptions::uniform(3, 10);
    let read = BankOptions::from_init(&options.init()).unwrap();
    assert_eq!(read, options);
    for bad in [json!([10, 10]), json!({}), json!({"0": "ten"}), json!(null)] {
        let e = BankOptions::from_init(&bad).unwrap_err().to_string();
        assert!(e.contains("object of accounts"), "{e}");
        assert!(e.contains(&bad.to_string()), "{e}");
    }
}
