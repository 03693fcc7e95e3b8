//! Every corpus history parses into the op counts its EXPECTED.tsv records.

use crate::{corpora_dir, files_under};
use histories::formats::{detect, read_path, Format};
use histories::{OpType, Process};
use std::collections::HashMap;
use std::path::Path;

/// `file -> value of column` for one column of an EXPECTED.tsv.
fn expected_column(tsv: &Path, column: &str) -> HashMap<String, String> {
    let text = std::fs::read_to_string(tsv).expect("EXPECTED.tsv is readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header row").split('\t').collect();
    let at = header
        .iter()
        .position(|h| *h == column)
        .expect("the column exists");
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .map(|cells| (cells[0].to_string(), cells[at].to_string()))
        .collect()
}

fn invocations(h: &histories::History) -> usize {
    h.client_ops().filter(|o| o.kind == OpType::Invoke).count()
}

#[test]
fn every_knossos_history_parses_with_its_recorded_number_of_invocations() {
    let dir = corpora_dir().join("knossos");
    let expected = expected_column(&dir.join("EXPECTED.tsv"), "invocations");
    let files = files_under(&dir, &["edn"]);
    assert_eq!(files.len(), 122, "the corpus holds 122 EDN files");
    for file in files {
        let name = file
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let h = read_path(&file, None).unwrap_or_else(|e| panic!("{e}"));
        let want: usize = expected[&name].parse().unwrap();
        assert_eq!(invocations(&h), want, "{name}");
        let calls = h.calls().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(calls.len(), want, "{name}");
        assert_eq!(h.provenance.file.as_deref(), Some(file.as_path()));
        assert_eq!(h.provenance.lines.len(), h.len(), "{name}");
    }
}

#[test]
fn every_porcupine_kv_history_is_detected_and_parses_with_keys() {
    let dir = corpora_dir().join("porcupine-kv");
    let expected = expected_column(&dir.join("EXPECTED.tsv"), "ops");
    let files = files_under(&dir, &["txt"]);
    assert_eq!(files.len(), 6);
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let head = std::fs::read_to_string(&file).unwrap();
        assert_eq!(detect(&head), Some(Format::PorcupineKv), "{name}");
        let h = read_path(&file, None).unwrap_or_else(|e| panic!("{e}"));
        let calls = h.calls().unwrap_or_else(|e| panic!("{e}"));
        let want: usize = expected[&name].parse().unwrap();
        assert_eq!(calls.len(), want, "{name}");
        assert_eq!(h.len(), 2 * want, "{name}: every call returns");
        assert!(h.ops.iter().all(|o| o.key.is_some()), "{name}");
        assert!(h
            .ops
            .iter()
            .all(|o| ["get", "put", "append"].contains(&o.f.as_str())));
        // Line order is event order: indices and times follow the lines.
        assert!(h
            .ops
            .iter()
            .enumerate()
            .all(|(i, o)| o.index == i as u64 && o.time == i as u64));
        assert_eq!(h.provenance.lines[0], 1);
        assert_eq!(*h.provenance.lines.last().unwrap() as usize, h.len());
    }
}

#[test]
fn the_mutex_history_keeps_its_indices_times_and_errors() {
    let h = read_path(&corpora_dir().join("knossos/mutex/bad/etcd.edn"), None).unwrap();
    assert_eq!(h.ops[1].index, 1);
    assert_eq!(h.ops[1].time, 342667129);
    assert_eq!(h.ops[1].error, Some(serde_json::json!("not-held")));
    assert_eq!(
        h.ops[1].value,
        serde_json::Value::Null,
        "no :value means null"
    );
    assert!(h.ops.iter().all(|o| o.extra.is_empty()));
}

#[test]
fn nemesis_ops_and_multi_line_maps_are_read() {
    let dir = corpora_dir().join("knossos");
    let h = read_path(
        &dir.join("cas-register/good/mongodb-v0-ack-rollback-.edn"),
        None,
    )
    .unwrap();
    assert_eq!(h.ops[0].process, Process::Nemesis);
    assert_eq!(h.ops[0].f, "isolate");
    let m = read_path(&dir.join("multi-register/good/multi-register.edn"), None).unwrap();
    assert_eq!(m.ops[0].value, serde_json::json!([["read", "x", null]]));
    assert_eq!(m.ops[0].time, 7686455705);
    // The file opens with a comment line, then each op spans five lines.
    assert_eq!(&m.provenance.lines[..3], &[2, 7, 12]);
}

#[test]
fn both_elle_histories_parse_into_transactions() {
    let dir = corpora_dir().join("elle");
    for f in ["si-without-g-single.edn", "paper-example.edn"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert_eq!(detect(&text), Some(Format::Edn), "{f}");
    }
    let si = read_path(&dir.join("si-without-g-single.edn"), None).unwrap();
    assert_eq!(si.len(), 8);
    assert_eq!(si.ops[1].index, 11);
    assert_eq!(
        si.ops[7].value,
        serde_json::json!([["append", 6, 2], ["r", 9, [2]]])
    );
    assert_eq!(si.calls().unwrap().len(), 4);
    // The paper example names neither :process nor :f: each call gets a process of its own and
    // its value (micro-ops) makes it a transaction.
    let paper = read_path(&dir.join("paper-example.edn"), None).unwrap();
    assert_eq!(paper.len(), 8);
    assert!(paper.ops.iter().all(|o| o.f == "txn"));
    let calls = paper.calls().unwrap();
    assert_eq!(calls.len(), 4);
    assert_eq!(
        calls[1].result,
        serde_json::json!([["append", 255, 8], ["r", 253, [1, 3, 4]]])
    );
}
