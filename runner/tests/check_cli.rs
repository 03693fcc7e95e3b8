//! `rift check` and `rift gen` as a user runs them: exit codes and model inference.

use std::process::Command;

fn corpora() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora").to_string()
}

fn rift(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .output()
        .expect("rift runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_valid_knossos_history_exits_0_and_says_which_model_was_inferred() {
    let (code, out, _) = rift(&[
        "check",
        &format!("{}/knossos/cas-register/good/memstress3-0.edn", corpora()),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("(model inferred) valid (cas-register"),
        "{out}"
    );
}

#[test]
fn an_invalid_history_exits_1_with_an_explanation() {
    let (code, out, _) = rift(&[
        "check",
        &format!("{}/knossos/cas-register/bad/cas-failure.edn", corpora()),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("could not be placed"), "{out}");
}

#[test]
fn a_directory_gets_one_line_per_history_and_a_summary() {
    let (code, out, _) = rift(&["check", &format!("{}/porcupine-kv", corpora())]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("6 histories: 3 valid, 3 invalid, 0 unknown, 0 unreadable"),
        "{out}"
    );
    assert!(out.contains("valid (append-kv"), "{out}");
}

#[test]
fn an_exhausted_time_limit_exits_2() {
    let (code, out, _) = rift(&[
        "check",
        "--time-limit",
        "0",
        &format!("{}/porcupine-kv/c50-ok.txt", corpora()),
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("unknown"), "{out}");
}

#[test]
fn unreadable_input_exits_3_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("rift-check-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.edn");
    std::fs::write(&bad, "[{:process 1, :type :invoke, :f :read").unwrap();
    let (code, _, err) = rift(&["check", bad.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("bad.edn"), "{err}");
}

#[test]
fn an_ambiguous_history_is_refused_with_the_choices() {
    let dir = std::env::temp_dir().join(format!("rift-check-ambiguous-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let h = dir.join("h.edn");
    std::fs::write(&h, "[{:process 1, :type :invoke, :f :add, :value 1}\n{:process 1, :type :ok, :f :add, :value 1}]").unwrap();
    let (code, _, err) = rift(&["check", h.to_str().unwrap()]);
    let (chosen, out, _) = rift(&["check", "--model", "set", h.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("set, counter"), "{err}");
    assert_eq!(chosen, 0, "{out}");
}

#[test]
fn a_generated_history_with_anomalies_shrinks_to_a_small_invalid_history() {
    let dir = std::env::temp_dir().join(format!("rift-check-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (code, history, _) = rift(&[
        "gen",
        "--calls",
        "300",
        "--keys",
        "3",
        "--anomaly-rate",
        "0.2",
        "--seed",
        "5",
    ]);
    assert_eq!(code, 0);
    let file = dir.join("h.jsonl");
    std::fs::write(&file, &history).unwrap();
    let (code, out, _) = rift(&["check", "--shrink", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 1, "{out}");
    let shrunk_ops = out.lines().filter(|l| l.starts_with("{\"index\"")).count();
    assert!((1..=12).contains(&shrunk_ops), "{out}");
}
