//! Table-driven: every row of each corpus' EXPECTED.tsv, with the semantics its FORMAT.md gives.

use checker::linear::{check_history, Options};
use checker::model::spec::ModelKind;
use checker::model::ModelSpec;
use checker::Verdict;
use std::path::{Path, PathBuf};

fn corpora() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora")).to_path_buf()
}

/// (file, expected verdict) for every row of a corpus' EXPECTED.tsv.
fn rows(corpus: &str) -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(corpora().join(corpus).join("EXPECTED.tsv"))
        .expect("EXPECTED.tsv is readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .expect("column present")
    };
    let (file, expected) = (col("file"), col("expected"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            let verdict = cells[expected];
            let valid = if verdict.starts_with("not-linearizable") {
                false
            } else if verdict.starts_with("linearizable") {
                true
            } else {
                panic!("unexpected verdict {verdict:?} in {corpus}/EXPECTED.tsv")
            };
            (cells[file].to_string(), valid)
        })
        .collect()
}

/// Checks the history at `path`; on the expected verdict, the configurations its searches explored.
fn expect(path: &Path, spec: &ModelSpec, valid: bool) -> Result<u64, String> {
    let history = histories::formats::read_path(path, None)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let report = check_history(&history, spec, &Options::default())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let want = if valid {
        Verdict::Valid
    } else {
        Verdict::Invalid
    };
    if report.verdict != want {
        return Err(format!("{}: expected {want}, got {report}", path.display()));
    }
    if !valid && report.invalid.is_empty() {
        return Err(format!(
            "{}: invalid without an explanation",
            path.display()
        ));
    }
    Ok(report.memo_entries)
}

#[test]
fn every_knossos_history_gets_its_expected_verdict() {
    let dir = corpora().join("knossos");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut memo_entries = 0;
    for (file, valid) in rows("knossos") {
        let path = dir.join(&file);
        if file == "mutex/bad/hazelcast.edn" {
            assert!(
                !path.exists(),
                "hazelcast.edn is documented missing from the corpus, but it is there"
            );
            continue;
        }
        let kind = match file.split('/').next() {
            Some("cas-register") => ModelKind::CasRegister,
            Some("multi-register") => ModelKind::MultiRegister,
            Some("mutex") => ModelKind::Mutex,
            other => panic!("no model for {other:?}"),
        };
        match expect(&path, &ModelSpec::new(kind), valid) {
            Ok(memo) => memo_entries += memo,
            Err(e) => failures.push(e),
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} histories wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 100, "only {checked} rows checked");
    // Pruning with every pending call of the window explores 13,564 configurations; with the
    // urgent call alone, 56,256 (memstress3-55.edn alone 41,441).
    assert!(
        memo_entries < 30_000,
        "the searches explored {memo_entries} configurations"
    );
}

#[test]
fn the_rethink_histories_are_invalid_from_a_nil_register_too() {
    let dir = corpora().join("knossos/cas-register/bad");
    let spec = ModelSpec {
        kind: ModelKind::CasRegister,
        init: Some(serde_json::Value::Null),
    };
    for file in ["rethink-fail-minimal.edn", "rethink-fail-smaller.edn"] {
        expect(&dir.join(file), &spec, false).unwrap();
    }
}

#[test]
fn every_porcupine_kv_history_gets_its_expected_verdict() {
    let dir = corpora().join("porcupine-kv");
    let spec = ModelSpec::new(ModelKind::AppendKv);
    let mut failures = Vec::new();
    let all = rows("porcupine-kv");
    assert_eq!(all.len(), 6);
    for (file, valid) in all {
        if let Err(e) = expect(&dir.join(&file), &spec, valid) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn porcupines_50_client_kv_history_is_decided_exploring_few_configurations() {
    // A wrong guess about a long-running append is found as soon as any pending get contradicts
    // it: 6,938 configurations. Pruning with the urgent call alone explored 157,513.
    let path = corpora().join("porcupine-kv/c50-ok.txt");
    let memo = expect(&path, &ModelSpec::new(ModelKind::AppendKv), true).unwrap();
    assert!(memo < 20_000, "the searches explored {memo} configurations");
}
