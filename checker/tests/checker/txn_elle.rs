//! Parity with Elle: G-nonadjacent and its variants, future reads, dirty updates, the empty
//! transaction graph, internal inconsistency's place in the table, and the options that change
//! what is inferred (a named set of anomalies, process and real-time order, writes-follow-reads).
//! Each history is written here in rift's notation; the comment above it names the Elle test
//! (jepsen-io/elle, test/elle/list_append_test.clj unless said otherwise) whose case it retells.

use checker::txn::{self, notation, AnomalyKind, ConsistencyModel, TxnOptions, TxnReport};
use checker::Verdict;
use histories::{History, Op, OpType, Process};
use serde_json::json;
use AnomalyKind::*;
use ConsistencyModel::*;

fn check_with(text: &str, opts: &TxnOptions) -> TxnReport {
    let h = notation::parse(text).unwrap();
    txn::check(&h, opts).unwrap()
}

fn check_under(text: &str, model: ConsistencyModel) -> TxnReport {
    check_with(text, &TxnOptions::model(model))
}

fn verdict_under(text: &str, model: ConsistencyModel) -> Verdict {
    check_under(text, model).verdict
}

fn check_for(text: &str, anomalies: &[AnomalyKind]) -> TxnReport {
    check_with(
        text,
        &TxnOptions {
            anomalies: anomalies.to_vec(),
            ..TxnOptions::default()
        },
    )
}

// Four concurrent transactions: T1 appends x1, which T2 reads; T2 misses T3's append to y,
// which T4 reads; T4 misses T1's append to x. Round the cycle the edges run wr rw wr rw: two
// anti-dependencies, never side by side. (G-nonadjacent-test, first case.)
const NONADJACENT: &str = "p1 invoke ax1; p2 invoke rx ry; p3 invoke ay1; p4 invoke ry rx; \
                           p1 ok ax1; p2 ok rx1 ry; p3 ok ay1; p4 ok ry1 rx";

#[test]
fn nonadjacent_anti_dependencies_are_g_nonadjacent_which_snapshot_isolation_forbids() {
    let r = check_under(NONADJACENT, SnapshotIsolation);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(GNonadjacent), "{r}");
    assert!(!r.has(GSingle) && !r.has(G2Item), "{r}");
    let cycle = r.of(GNonadjacent).next().unwrap().to_string();
    assert_eq!(cycle.matches("(rw)").count(), 2, "{cycle}");
    assert_eq!(cycle.matches("(wr)").count(), 2, "{cycle}");
    for model in [RepeatableRead, Serializable, StrongSessionSnapshotIsolation] {
        assert_eq!(
            verdict_under(NONADJACENT, model),
            Verdict::Invalid,
            "{model}"
        );
    }
    assert_eq!(verdict_under(NONADJACENT, ReadCommitted), Verdict::Valid);
    assert_eq!(verdict_under(NONADJACENT, ReadAtomic), Verdict::Valid);
}

// A five-transaction cycle whose edges run rw rw wr rw wr: two anti-dependencies are adjacent,
// so it is write skew (G2-item), which snapshot isolation allows. (G-nonadjacent-test, second
// case, which asserts SI finds nothing; its own history has no cycle at all, so this one is
// built to have the cycle its comment describes.)
const ADJACENT: &str = "p1 invoke ru rx; p2 invoke ax1 ry; p3 invoke ay1 az1; p4 invoke rz rt; \
                        p5 invoke at1 au1; p1 ok ru1 rx; p2 ok ax1 ry; p3 ok ay1 az1; \
                        p4 ok rz1 rt; p5 ok at1 au1";

#[test]
fn adjacent_anti_dependencies_are_write_skew_and_snapshot_isolation_allows_them() {
    let r = check_under(ADJACENT, SnapshotIsolation);
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert!(r.has(G2Item), "{r}");
    assert!(!r.has(GNonadjacent), "{r}");
    assert_eq!(verdict_under(ADJACENT, RepeatableRead), Verdict::Invalid);
}

// p0's transaction reads x before p1 appends to it, and reads z = [1], which p2 appended; p1's
// next transaction misses that append to z. With process order (and no real-time order, as
// Elle's test builds only the process graph) the cycle is rw wr rw process.
// (checker-test "G-nonadjacent-process", from jepsen-io/elle issue 17.)
const NONADJACENT_PROCESS: &str = "p0 rx rz1; p1 ax1; p1 rz; p2 az1";

#[test]
fn nonadjacent_anti_dependencies_closed_by_a_session_are_g_nonadjacent_process() {
    let session = |model| TxnOptions {
        realtime_order: false,
        ..TxnOptions::model(model)
    };
    let r = check_with(NONADJACENT_PROCESS, &session(Serializable));
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    let r = check_with(
        NONADJACENT_PROCESS,
        &session(StrongSessionSnapshotIsolation),
    );
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(GNonadjacentProcess), "{r}");
    assert!(!r.has(GSingleProcess), "{r}");
}

// The same shape closed by real time on four processes: p1's append to x completes before p3
// reads z; p0's read runs across both, so no single anti-dependency is closed by real time.
// (strong snapshot isolation forbids G-nonadjacent-realtime; Elle's "Strong SI violation" case
// is its G-single cousin.)
const NONADJACENT_REALTIME: &str = "p0 invoke rx rz; p2 invoke az1; p1 invoke ax1; p1 ok ax1; \
                                    p3 invoke rz; p0 ok rx rz1; p3 ok rz; p2 ok az1";

#[test]
fn nonadjacent_anti_dependencies_closed_by_real_time_are_g_nonadjacent_realtime() {
    let r = check_under(NONADJACENT_REALTIME, StrongSnapshotIsolation);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(GNonadjacentRealtime), "{r}");
    assert!(!r.has(GSingleRealtime) && !r.has(GNonadjacent), "{r}");
    assert_eq!(
        verdict_under(NONADJACENT_REALTIME, StrictSerializable),
        Verdict::Invalid
    );
    for model in [
        SnapshotIsolation,
        StrongSessionSnapshotIsolation,
        Serializable,
    ] {
        assert_eq!(
            verdict_under(NONADJACENT_REALTIME, model),
            Verdict::Valid,
            "{model}"
        );
    }
}

// A transaction reads x = [1] and only then appends 1 itself. Alone in the history its graph
// is empty, but the future read rules out read committed (it is a one-transaction G1c), so the
// verdict is Invalid there and Unknown, never Valid, under read uncommitted. (future-read-test.)
#[test]
fn reading_an_element_before_appending_it_is_a_future_read() {
    let r = check_under("rx1 ax1", ReadCommitted);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(FutureRead), "{r}");
    assert!(!r.has(Internal), "{r}");
    assert!(
        r.to_string().contains("which it appended only afterwards"),
        "{r}"
    );
    assert!(matches!(
        verdict_under("rx1 ax1", ReadUncommitted),
        Verdict::Unknown { .. }
    ));
}

// Appending 1, reading [0 1], then appending 0: the read held an element the transaction had
// yet to append. Reading back one's own earlier append is no future read. (internal-cases-test
// "future read internal".)
#[test]
fn a_read_between_a_transactions_appends_sees_only_the_earlier_ones() {
    let r = check_under("ax1 rx01 ax0", ReadAtomic);
    assert!(r.has(FutureRead), "{r}");
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    let r = check_under("ax1 rx1 ax2; rx12", StrictSerializable);
    assert!(r.counts.is_empty(), "{r}");
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
}

// A failed append of 1, then a committed append of 2 that a read shows after it: the committed
// write builds on an aborted one. With an indeterminate append between, it still does.
// (checker-test "dirty update": "direct" and "indirect".)
#[test]
fn a_committed_append_on_top_of_an_aborted_one_is_a_dirty_update() {
    let r = check_for("p0 fail ax1; ax2; rx12", &[DirtyUpdate]);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(DirtyUpdate), "{r}");
    assert!(r.ruled_out.contains(&ReadCommitted), "{r}");
    assert!(!r.ruled_out.contains(&ReadUncommitted), "{r}");
    let r = check_for("p0 fail ax1; p1 info ax2; ax3; rx123", &[DirtyUpdate]);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    let text = r.of(DirtyUpdate).next().unwrap().to_string();
    assert!(text.contains("[1 2 3]"), "{text}");
}

// Near misses: a committed append after an indeterminate one after a committed one; and a lone
// failed append, which leaves nothing to check (Elle: empty-transaction-graph; here: no
// committed transactions), so Unknown. (checker-test "dirty update" "none".)
#[test]
fn appends_on_committed_or_indeterminate_ones_are_no_dirty_update() {
    let r = check_for("ax1; p1 info ax2; ax3; rx123", &[DirtyUpdate]);
    assert!(!r.has(DirtyUpdate), "{r}");
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    let r = check_for("p0 fail ax1", &[DirtyUpdate]);
    assert!(matches!(r.verdict, Verdict::Unknown { .. }), "{r}");
}

// One transaction appending and reading its own append: nothing orders it against anything,
// so there is no evidence either way. (future-read-test's empty-transaction-graph; checker-test
// "dirty update" "none".)
#[test]
fn a_history_whose_graph_has_no_edges_is_unknown_never_valid() {
    for model in ConsistencyModel::ALL {
        let r = check_under("ax1 rx1", model);
        match &r.verdict {
            Verdict::Unknown { reason } => {
                assert!(reason.contains("empty-transaction-graph"), "{reason}")
            }
            v => panic!("{model}: {v:?}"),
        }
        assert_eq!(r.edges, 0);
    }
    // Two blind appends in a row have a real-time edge; without the orders, none.
    let serial = "ax1; ax2";
    assert_eq!(verdict_under(serial, StrictSerializable), Verdict::Valid);
    let r = check_with(
        serial,
        &TxnOptions {
            process_order: false,
            realtime_order: false,
            ..TxnOptions::model(Serializable)
        },
    );
    assert!(matches!(r.verdict, Verdict::Unknown { .. }), "{r}");
}

// T2 appends 2 to x and then reads x = [1], without its own append: internally inconsistent.
// Elle's table lets read committed and repeatable read stand and rules out read atomic and
// everything above it. (checker-test "internal consistency violation", checked as Elle does
// with no model and the anomaly named.)
#[test]
fn internal_inconsistency_rules_out_read_atomic_and_stronger_only() {
    let text = "ax1; ax2 rx1";
    let r = check_for(text, &[Internal]);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert_eq!(r.counts.keys().collect::<Vec<_>>(), vec![&Internal], "{r}");
    for model in [ReadUncommitted, ReadCommitted, RepeatableRead] {
        assert_eq!(verdict_under(text, model), Verdict::Valid, "{model}");
    }
    for model in [
        ReadAtomic,
        SnapshotIsolation,
        Serializable,
        StrictSerializable,
    ] {
        assert_eq!(verdict_under(text, model), Verdict::Invalid, "{model}");
    }
}

// Asking for G2-item also flags a G-single, which is a special case of it; asking for G0 does
// not. (txn_test's prohibited-anomaly-types: named anomalies and all those implying them.)
#[test]
fn checking_for_named_anomalies_flags_those_that_imply_them() {
    let read_skew = "p0 invoke ax1 ay1; p1 invoke rx ry; p0 ok ax1 ay1; p1 ok rx ry1";
    let r = check_for(read_skew, &[G2Item]);
    assert!(r.has(GSingle), "{r}");
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.to_string().contains("for anomalies G2-item"), "{r}");
    assert_eq!(check_for(read_skew, &[G0]).verdict, Verdict::Valid);
}

// A stale read in one session: p0 appends, then reads x empty. Without process order, the
// cycle closes by real time instead, which strict serializability forbids as much; strong
// session serializability forbids only the process variant, which is then not looked for, so
// the verdict is Unknown. Without real time either, a serializable verdict still stands.
// (list_append_test wr-process-test; rw_register_test's sequential/linearizable options.)
#[test]
fn orders_turned_off_are_not_inferred_and_what_they_would_show_is_unknown() {
    let stale = "p0 ax1; p0 rx";
    let opts = |model, process_order, realtime_order| TxnOptions {
        process_order,
        realtime_order,
        ..TxnOptions::model(model)
    };
    let r = check_with(stale, &opts(StrictSerializable, false, true));
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(GSingleRealtime) && !r.has(GSingleProcess), "{r}");
    let r = check_with(stale, &opts(StrongSessionSerializable, false, true));
    match &r.verdict {
        Verdict::Unknown { reason } => assert!(reason.contains("G-single-process"), "{reason}"),
        v => panic!("{v:?}\n{r}"),
    }
    let r = check_with(stale, &opts(StrictSerializable, true, false));
    assert!(r.has(GSingleProcess) && !r.has(GSingleRealtime), "{r}");
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    let r = check_with(stale, &opts(Serializable, false, false));
    assert!(r.counts.is_empty(), "{r}");
}

// T2 reads x = 1 and overwrites it with 2, and writes y = 1; T3 reads y = 1 from T2 but x = 1,
// the version T2 overwrote: read skew, visible only if T2's write follows its read.
// (rw_register_test's wfr-keys? cases.)
#[test]
fn writes_follow_reads_inference_can_be_turned_off() {
    let text = "wx1; rx1 wx2 wy1; ry1 rx1";
    let r = check_under(text, Serializable);
    assert!(r.has(GSingle), "{r}");
    let r = check_with(
        text,
        &TxnOptions {
            writes_follow_reads: false,
            ..TxnOptions::model(Serializable)
        },
    );
    assert!(r.counts.is_empty(), "{r}");
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
}

// T3 reads x = [1] after T2's append of 2 completed, on another process: a stale read that only
// real time shows. Serializable stands, and so does checking for G2-item alone; strong snapshot
// isolation does not. (checker-test "Strong SI violation".)
#[test]
fn a_stale_read_after_a_completed_append_is_g_single_realtime_only() {
    let text = "ax1; ax2; rx1; rx12";
    assert_eq!(verdict_under(text, Serializable), Verdict::Valid);
    assert_eq!(check_for(text, &[G2Item]).verdict, Verdict::Valid);
    let r = check_under(text, StrongSnapshotIsolation);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(GSingleRealtime) && !r.has(GSingleProcess), "{r}");
}

// The same stale read, by the process that made the append it misses: strong session snapshot
// isolation forbids it. (checker-test "Strong Session SI violation".)
#[test]
fn a_stale_read_of_ones_own_session_is_g_single_process() {
    let text = "p0 ax1; p1 ax2; p1 rx1; p2 rx12";
    assert_eq!(verdict_under(text, Serializable), Verdict::Valid);
    let r = check_under(text, StrongSessionSnapshotIsolation);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(GSingleProcess), "{r}");
}

// p1's transaction reads x = [1], which p2 appends only after reading p1's y: information
// flows in a circle through p2's session. (wr-process-test, jepsen-io/elle issue 21.)
#[test]
fn reading_a_later_session_write_is_g1c_process() {
    let text = "p1 rx1 ay1; p2 ry1; p2 ax1";
    let r = check_under(text, StrongSessionSnapshotIsolation);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(G1cProcess), "{r}");
    assert_eq!(verdict_under(text, SnapshotIsolation), Verdict::Valid);
}

// Two transactions read x = [0] and both append: a lost update, and a G2-item of two adjacent
// anti-dependencies. One transaction appending twice after its read is no lost update.
// (lost-update-test, with its "one txn, double write" near miss.)
#[test]
fn two_appends_on_one_read_version_are_a_lost_update_and_one_transactions_are_not() {
    let text = "ax0; p1 invoke rx ax1; p2 invoke rx ax2; p1 ok rx0 ax1; p2 ok rx0 ax2";
    let r = check_under(text, SnapshotIsolation);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(LostUpdate) && r.has(G2Item), "{r}");
    let r = check_under("rx ax1 ax2; rx12", StrictSerializable);
    assert!(r.counts.is_empty(), "{r}");
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
}

// A ring of 3,000 concurrent transactions, each reading its own key empty and appending to the
// next one's: every edge is an anti-dependency, so the one cycle is write skew (G2-item), and
// nothing is G-nonadjacent. Far more rw edges than the search's fruitless-start budget: the
// absence of a G-nonadjacent must be proved, not given up on, or snapshot isolation would be
// left Unknown. (Elle's G-nonadjacent-test near miss, at scale.)
#[test]
fn a_long_ring_of_anti_dependencies_is_write_skew_decided_without_giving_up() {
    let n = 3_000u64;
    let mut ops = Vec::new();
    let mops =
        |i: u64, read: serde_json::Value| json!([["r", i, read], ["append", (i + 1) % n, 1]]);
    for i in 0..n {
        let at = ops.len() as u64;
        ops.push(Op::new(
            at,
            at,
            Process::Client(i),
            OpType::Invoke,
            "txn",
            mops(i, json!(null)),
        ));
    }
    for i in 0..n {
        let at = ops.len() as u64;
        ops.push(Op::new(
            at,
            at,
            Process::Client(i),
            OpType::Ok,
            "txn",
            mops(i, json!([])),
        ));
    }
    let h = History::from_ops(ops);
    let r = txn::check(&h, &TxnOptions::model(SnapshotIsolation)).unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert!(r.has(G2Item) && !r.has(GNonadjacent), "{r}");
    let r = txn::check(&h, &TxnOptions::model(RepeatableRead)).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
}
