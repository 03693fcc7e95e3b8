//! Elle's own example histories (../shared/corpora/elle), imported from Jepsen EDN and checked:
//! si-without-g-single is valid under snapshot isolation and invalid under repeatable read (a
//! G2-item cycle, no G-single); the Elle paper's example parses and its graph is explained.

use checker::txn::{self, AnomalyKind, ConsistencyModel, EdgeKind, TxnOptions, Why};
use checker::Verdict;
use histories::formats::read_path;
use histories::History;
use std::path::PathBuf;

fn corpus(name: &str) -> History {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpora/elle"
    ))
    .join(name);
    read_path(&path, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check(h: &History, model: ConsistencyModel) -> txn::TxnReport {
    txn::check(h, &TxnOptions::model(model)).unwrap()
}

#[test]
fn si_without_g_single_is_valid_under_snapshot_isolation() {
    let h = corpus("si-without-g-single.edn");
    let r = check(&h, ConsistencyModel::SnapshotIsolation);
    assert_eq!(r.verdict, Verdict::Valid, "{r}");
    assert_eq!(r.transactions, 4);
}

#[test]
fn si_without_g_single_is_invalid_under_repeatable_read_with_a_g2_item_cycle() {
    let h = corpus("si-without-g-single.edn");
    let r = check(&h, ConsistencyModel::RepeatableRead);
    assert_eq!(r.verdict, Verdict::Invalid, "{r}");
    assert!(r.has(AnomalyKind::G2Item), "{r}");
    assert!(!r.has(AnomalyKind::GSingle), "{r}");
    assert!(r.ruled_out.contains(&ConsistencyModel::Serializable));
    assert!(!r.ruled_out.contains(&ConsistencyModel::SnapshotIsolation));
    let cycle = r.of(AnomalyKind::G2Item).next().unwrap();
    let rw = cycle
        .to_string()
        .lines()
        .filter(|l| l.contains("(rw)"))
        .count();
    assert!(rw >= 2, "{cycle}");
    // The shortest such cycle: T3 rw T4 on 6, T4 rw T3 on 9 (invoked at ops 30 and 40).
    let mut ids: Vec<u64> = cycle.txns().iter().map(|t| t.index).collect();
    ids.sort();
    assert_eq!(ids, vec![30, 40], "{cycle}");
}

#[test]
fn si_without_g_single_has_the_dependencies_its_comments_list() {
    // The file's comments: T1 ww T3 on 9; T1 wr T4 on 9; T2 rw T1 on 9; T3 rw T2 on 8;
    // T3 rw T4 on 6; T4 rw T3 on 9 (T1..T4 are invoked at ops 10, 20, 30, 40).
    let h = corpus("si-without-g-single.edn");
    let deps = txn::dependencies(&h, &TxnOptions::default()).unwrap();
    let data: Vec<(u64, u64, EdgeKind)> = deps
        .iter()
        .filter(|s| matches!(s.edge, EdgeKind::Ww | EdgeKind::Wr | EdgeKind::Rw))
        .map(|s| (s.from, s.to, s.edge))
        .collect();
    let mut expected = vec![
        (10, 30, EdgeKind::Ww),
        (10, 40, EdgeKind::Wr),
        (20, 10, EdgeKind::Rw),
        (30, 20, EdgeKind::Rw),
        (30, 40, EdgeKind::Rw),
        (40, 30, EdgeKind::Rw),
    ];
    let mut got = data.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
}

#[test]
fn the_paper_example_parses_and_its_graph_is_explained() {
    let h = corpus("paper-example.edn");
    let deps = txn::dependencies(&h, &TxnOptions::default()).unwrap();
    let words: Vec<String> = deps.iter().map(|s| s.to_string()).collect();
    let text = words.join("\n");
    // T2 appended 8 to 255 and T4 read 255 = [2 3 4 5 8]: T2 < T4.
    assert!(
        text.contains(
            "T2 < T4 (wr) because T4 read 255 = [2 3 4 5 8], whose last element 8 T2 appended"
        ),
        "{text}"
    );
    // T6 read 255 = [2 3 4 5], missing T2's 8: T6 < T2.
    assert!(
        text.contains("T6 < T2 (rw) because T6 read 255 = [2 3 4 5], and T2 appended 8"),
        "{text}"
    );
    // T4 appended 4 to 256 and T6's append of 3, never read, comes after it: T4 < T6.
    assert!(
        text.contains("T4 < T6 (ww) because T4 appended 4 to 256 and T6 appended 3"),
        "{text}"
    );
    for s in &deps {
        assert_ne!(s.why, Why::Unexplained, "{s}");
        if let Why::Read { .. } | Why::Missed { .. } | Why::Overwrote { .. } = s.why {
            assert!(matches!(s.edge, EdgeKind::Ww | EdgeKind::Wr | EdgeKind::Rw));
        }
    }
    let r = check(&h, ConsistencyModel::Serializable);
    let cycle = r
        .of(AnomalyKind::GSingle)
        .next()
        .expect("the paper's G-single");
    let ids: Vec<u64> = cycle.txns().iter().map(|t| t.index).collect();
    assert_eq!(ids.len(), 3, "{cycle}");
    for t in [2, 4, 6] {
        assert!(ids.contains(&t), "{cycle}");
    }
}
