//! The transactional checker on small histories written in its notation
//! (`checker::txn::notation`): for each anomaly class a minimal history it must catch and a near
//! miss it must not flag; model distinctions; explanations; budgets.

use checker::txn::{self, notation, AnomalyKind, ConsistencyModel, TxnOptions, TxnReport};
use checker::Verdict;
use std::time::Duration;
use AnomalyKind::*;
use ConsistencyModel::*;

fn check_under(text: &str, model: ConsistencyModel) -> TxnReport {
    let h = notation::parse(text).unwrap();
    txn::check(&h, &TxnOptions::model(model)).unwrap()
}

fn check(text: &str) -> TxnReport {
    check_under(text, StrictSerializable)
}

fn assert_catches(text: &str, kind: AnomalyKind) -> TxnReport {
    let r = check(text);
    assert!(r.has(kind), "{kind} not found in {text:?}:\n{r}");
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.ruled_out.contains(&StrictSerializable));
    r
}

fn assert_clean(text: &str) {
    let r = check(text);
    assert!(r.counts.is_empty(), "near miss {text:?} flagged:\n{r}");
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert!(r.ruled_out.is_empty());
}

#[test]
fn g0_write_cycle_is_caught_and_agreeing_orders_are_not() {
    assert_catches("ax1 ay1; ax2 ay2; rx12 ry21", G0);
    assert_clean("ax1 ay1; ax2 ay2; rx12 ry12");
}

#[test]
fn g0_rules_out_even_read_uncommitted() {
    let r = check_under("ax1 ay1; ax2 ay2; rx12 ry21", ReadUncommitted);
    assert_eq!(r.verdict, Verdict::Invalid);
    assert_eq!(r.ruled_out, ConsistencyModel::ALL.to_vec());
}

#[test]
fn g1a_aborted_read_is_caught_and_not_reading_it_is_fine() {
    let r = assert_catches("p0 fail ax1; rx1", G1a);
    assert!(!r.ruled_out.contains(&ReadUncommitted));
    assert!(r.ruled_out.contains(&ReadCommitted));
    assert_clean("p0 fail ax1; rx; rx");
}

#[test]
fn g1b_intermediate_read_is_caught_and_reading_the_final_state_is_fine() {
    assert_catches("ax1 ax2; rx1", G1b);
    assert_clean("ax1 ax2; rx12");
}

#[test]
fn g1c_circular_information_flow_is_caught_and_a_one_way_flow_is_not() {
    let r = assert_catches(
        "p0 invoke ax1 ry; p1 invoke ay1 rx; p0 ok ax1 ry1; p1 ok ay1 rx1",
        G1c,
    );
    assert_eq!(r.verdict, Verdict::Invalid);
    assert_clean("p0 invoke ax1 ry; p1 invoke ay1 rx; p0 ok ax1 ry; p1 ok ay1 rx1");
}

#[test]
fn g_single_read_skew_is_caught_and_a_consistent_snapshot_is_not() {
    let text = "p0 invoke ax1 ay1; p1 invoke rx ry; p0 ok ax1 ay1; p1 ok rx ry1";
    let r = assert_catches(text, GSingle);
    assert!(r.ruled_out.contains(&SnapshotIsolation));
    assert!(!r.ruled_out.contains(&ReadCommitted));
    assert_eq!(check_under(text, ReadCommitted).verdict, Verdict::Valid);
    assert_clean("p0 invoke ax1 ay1; p1 invoke rx ry; p0 ok ax1 ay1; p1 ok rx1 ry1");
}

#[test]
fn g2_item_write_skew_is_allowed_by_snapshot_isolation_only() {
    let text = "p0 invoke rx ay1; p1 invoke ry ax1; p0 ok rx ay1; p1 ok ry ax1; rx1 ry1";
    let r = assert_catches(text, G2Item);
    assert!(!r.has(GSingle), "{r}");
    assert_eq!(check_under(text, SnapshotIsolation).verdict, Verdict::Valid);
    assert_eq!(check_under(text, RepeatableRead).verdict, Verdict::Invalid);
    assert_eq!(check_under(text, Serializable).verdict, Verdict::Invalid);
    assert_clean("p0 invoke rx ay1; p1 invoke ry ax1; p0 ok rx ay1; p1 ok ry1 ax1; rx1 ry1");
}

#[test]
fn lost_update_is_caught_and_a_read_that_saw_the_first_update_is_not() {
    let text = "p0 invoke rx ax1; p1 invoke rx ax2; p0 ok rx ax1; p1 ok rx ax2; rx12";
    let r = assert_catches(text, LostUpdate);
    assert!(r.ruled_out.contains(&SnapshotIsolation));
    assert_clean("p0 invoke rx ax1; p1 invoke rx1 ax2; p0 ok rx ax1; p1 ok rx1 ax2; rx12");
}

#[test]
fn internal_inconsistency_is_caught_and_reading_ones_own_append_is_fine() {
    assert_catches("ax1 rx", Internal);
    assert_catches("ax1; rx rx1", Internal);
    assert_clean("ax1 rx1; rx1");
    assert_clean("ax1; ax2 rx12 ax3 rx123");
}

#[test]
fn duplicate_elements_are_caught_and_a_single_copy_is_fine() {
    assert_catches("ax1; rx11", DuplicateElements);
    assert_clean("ax1; rx1");
}

#[test]
fn incompatible_orders_are_caught_and_prefixes_are_fine() {
    assert_catches("ax1; ax2; rx12; rx21", IncompatibleOrder);
    assert_clean("ax1; rx1; ax2; rx12");
}

#[test]
fn a_read_of_an_element_nobody_appended_is_garbage() {
    assert_catches("rx1", GarbageRead);
    assert_clean("ax1; rx1");
}

#[test]
fn a_stale_read_in_one_session_is_g_single_process() {
    let text = "p0 ax1; p0 rx";
    let r = assert_catches(text, GSingleProcess);
    assert!(!r.has(GSingle), "{r}");
    assert_eq!(check_under(text, Serializable).verdict, Verdict::Valid);
    assert_eq!(check_under(text, SnapshotIsolation).verdict, Verdict::Valid);
    assert_eq!(
        check_under(text, StrongSessionSerializable).verdict,
        Verdict::Invalid
    );
    assert_clean("p0 ax1; p0 rx1");
}

#[test]
fn a_stale_read_across_processes_is_g_single_realtime() {
    let text = "p0 ax1; p1 rx";
    let r = assert_catches(text, GSingleRealtime);
    assert!(!r.has(GSingleProcess), "{r}");
    assert_eq!(
        check_under(text, StrongSessionSerializable).verdict,
        Verdict::Valid
    );
    assert_eq!(
        check_under(text, StrongSnapshotIsolation).verdict,
        Verdict::Invalid
    );
    assert_clean("p0 invoke ax1; p1 rx; p0 ok ax1");
}

#[test]
fn overwriting_a_completed_write_in_the_past_is_g0_realtime() {
    let r = assert_catches("ax1; ax2; rx21", G0Realtime);
    assert!(!r.has(G0), "{r}");
    assert_clean("ax1; ax2; rx12");
}

#[test]
fn info_transactions_may_or_may_not_have_committed() {
    assert_clean("p0 info ax1; rx1");
    assert_clean("p0 info ax1; rx; rx");
    assert_clean("p0 info ax1; p1 invoke rx; p1 ok rx; rx");
}

#[test]
fn register_read_skew_is_g_single_and_a_consistent_read_is_not() {
    let text = "p0 invoke wx1 wy1; p1 invoke rx ry; p0 ok wx1 wy1; p1 ok rx ry1";
    let r = assert_catches(text, GSingle);
    assert_eq!(r.workload, txn::Workload::RwRegister);
    assert_clean("p0 invoke wx1 wy1; p1 invoke rx ry; p0 ok wx1 wy1; p1 ok rx1 ry1");
}

#[test]
fn register_write_skew_is_g2_item() {
    let text = "p0 invoke rx wy1; p1 invoke ry wx1; p0 ok rx wy1; p1 ok ry wx1";
    let r = assert_catches(text, G2Item);
    assert!(!r.has(GSingle), "{r}");
    assert_eq!(check_under(text, SnapshotIsolation).verdict, Verdict::Valid);
    assert_clean("p0 invoke rx wy1; p1 invoke ry wx1; p0 ok rx wy1; p1 ok ry1 wx1");
}

#[test]
fn register_aborted_intermediate_and_internal_reads_are_caught() {
    assert_catches("p0 fail wx1; rx1", G1a);
    assert_catches("wx1 wx2; rx1", G1b);
    assert_catches("wx1 rx", Internal);
    assert_catches("rx3; wx1", GarbageRead);
    assert_clean("wx1 wx2; rx2");
    assert_clean("wx1 rx1; rx1");
}

#[test]
fn register_lost_update_is_caught_and_a_chain_of_updates_is_not() {
    let text = "p0 invoke rx wx1; p1 invoke rx wx2; p0 ok rx wx1; p1 ok rx wx2";
    assert_catches(text, LostUpdate);
    assert_clean("p0 rx wx1; p1 rx1 wx2; rx2");
}

#[test]
fn a_cycle_is_explained_edge_by_edge_in_words() {
    let r = check("p0 invoke ax1 ay1; p1 invoke rx ry; p0 ok ax1 ay1; p1 ok rx ry1");
    let a = r.of(GSingle).next().expect("a G-single");
    let text = a.to_string();
    assert!(
        text.contains("T1 < T0 (rw) because T1 read x = []"),
        "{text}"
    );
    assert!(text.contains("and T0 appended 1"), "{text}");
    assert!(
        text.contains("T0 < T1 (wr) because T1 read y = [1], whose last element 1 T0 appended"),
        "{text}"
    );
    assert!(
        text.contains("where T0 = process 0, ok: [append x 1] [append y 1]"),
        "{text}"
    );
    let json = serde_json::to_value(a).unwrap();
    assert_eq!(json["kind"], "G-single");
    assert_eq!(json["explanation"]["type"], "cycle");
    assert_eq!(json["explanation"]["steps"][0]["edge"], "rw");
}

#[test]
fn an_empty_history_is_unknown_not_valid() {
    let r = check("");
    assert!(matches!(r.verdict, Verdict::Unknown { .. }), "{r}");
    let r = check("p0 fail ax1");
    assert!(matches!(r.verdict, Verdict::Unknown { .. }), "{r}");
}

#[test]
fn a_cycle_search_out_of_time_is_unknown_never_valid() {
    let h =
        notation::parse("p0 invoke rx ay1; p1 invoke ry ax1; p0 ok rx ay1; p1 ok ry ax1").unwrap();
    let opts = TxnOptions {
        time_limit: Some(Duration::ZERO),
        ..TxnOptions::model(Serializable)
    };
    let r = txn::check(&h, &opts).unwrap();
    assert!(matches!(r.verdict, Verdict::Unknown { .. }), "{r}");
    assert!(r.incomplete.is_some());
}

#[test]
fn a_history_mixing_appends_and_writes_is_refused() {
    let h = notation::parse("ax1; wy1").unwrap();
    let e = txn::check(&h, &TxnOptions::default()).unwrap_err();
    assert!(e.to_string().contains("mixes appends"), "{e}");
}

#[test]
fn an_element_appended_twice_is_refused_as_malformed() {
    let h = notation::parse("ax1; ax1").unwrap();
    let e = txn::check(&h, &TxnOptions::default()).unwrap_err();
    assert!(e.to_string().contains("appended to key x twice"), "{e}");
}

#[test]
fn a_reader_fed_op_by_op_agrees_with_checking_the_whole_history() {
    let text =
        "p0 invoke rx ay1; p1 invoke ry ax1; p0 ok rx ay1; p1 ok ry ax1; p2 fail ax2; rx1 ry1";
    let h = notation::parse(text).unwrap();
    let opts = TxnOptions::model(Serializable);
    let mut reader = txn::TxnReader::new(None);
    for op in &h.ops {
        reader.push(op).unwrap();
    }
    let streamed = reader.finish(&opts).unwrap();
    let whole = txn::check(&h, &opts).unwrap();
    assert_eq!(streamed.verdict, whole.verdict);
    assert_eq!(streamed.counts, whole.counts);
    assert_eq!(streamed.transactions, 4);
}

#[test]
fn a_completion_without_an_invocation_is_refused_naming_the_op() {
    let mut h = notation::parse("ax1").unwrap();
    h.ops.remove(0);
    let e = txn::check(&h, &TxnOptions::default()).unwrap_err();
    assert!(e.to_string().contains("index 1"), "{e}");
    assert!(e.to_string().contains("no open invocation"), "{e}");
}

#[test]
fn an_unfinished_transaction_is_indeterminate() {
    let r = check("p0 invoke ax1; rx1; rx1");
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert_eq!(r.transactions, 3);
    assert_eq!(r.committed, 2);
}
