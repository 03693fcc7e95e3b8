//! `rift check` and `rift gen` as a user runs them: exit codes and model inference;
//! transactional histories (Elle's corpus, EDN and streamed JSONL); stored runs; no progress bar
//! drawn when stderr is not a terminal.

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

/// `text` with its last line cut in the middle (what a writer killed mid-append leaves), and
/// that line's number.
fn cut_last_line(text: &str) -> (String, usize) {
    let body = text.trim_end_matches('\n');
    let start = body.rfind('\n').expect("more than one line") + 1;
    let cut = start + (body.len() - start) / 2;
    (body[..cut].to_string(), body.lines().count())
}

#[test]
fn a_history_whose_last_line_was_cut_short_is_checked_up_to_it_with_a_note() {
    let dir = std::env::temp_dir().join(format!("rift-check-cut-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (code, history, _) = rift(&["gen", "--calls", "200", "--keys", "3", "--seed", "9"]);
    assert_eq!(code, 0);
    let (cut, line) = cut_last_line(&history);
    let linear = dir.join("linear.jsonl");
    std::fs::write(&linear, &cut).unwrap();
    let h =
        histories::formats::read_path(std::path::Path::new(&elle("si-without-g-single.edn")), None)
            .unwrap();
    let mut jsonl = Vec::new();
    histories::formats::write_jsonl(&mut jsonl, &h).unwrap();
    let (txn_cut, txn_line) = cut_last_line(&String::from_utf8(jsonl).unwrap());
    let txn = dir.join("txn.jsonl");
    std::fs::write(&txn, &txn_cut).unwrap();

    let (code, out, err) = rift(&["check", linear.to_str().unwrap()]);
    let (txn_code, txn_out, txn_err) = rift(&[
        "check",
        "--consistency-model",
        "snapshot-isolation",
        txn.to_str().unwrap(),
    ]);
    let (_, json, _) = rift(&["check", "--json", linear.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("note: line {line} is cut short")),
        "{out}"
    );
    assert_eq!(txn_code, 0, "{txn_out}{txn_err}");
    assert!(
        txn_out.contains(&format!("note: line {txn_line} is cut short")),
        "{txn_out}"
    );
    let json: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(json["cut_short_line"], line);
}

fn elle(name: &str) -> String {
    format!("{}/elle/{name}", corpora())
}

#[test]
fn write_skew_is_valid_under_snapshot_isolation_and_invalid_under_repeatable_read() {
    let file = elle("si-without-g-single.edn");
    let (si, out_si, _) = rift(&["check", "--consistency-model", "snapshot-isolation", &file]);
    let (rr, out_rr, _) = rift(&["check", "--consistency-model", "repeatable-read", &file]);
    assert_eq!(si, 0, "{out_si}");
    assert!(
        out_si.contains("valid under snapshot-isolation"),
        "{out_si}"
    );
    assert_eq!(rr, 1, "{out_rr}");
    assert!(out_rr.contains("invalid under repeatable-read"), "{out_rr}");
    assert!(out_rr.contains("G2-item: a cycle"), "{out_rr}");
    assert!(out_rr.contains("ruled out: repeatable-read"), "{out_rr}");
    assert!(!out_rr.contains("G-single:"), "no G-single: {out_rr}");
}

#[test]
fn the_paper_example_is_inferred_transactional_and_its_cycle_explained_edge_by_edge() {
    let (code, out, err) = rift(&["check", &elle("paper-example.edn")]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("(transactions, model inferred) invalid under strict-serializable"),
        "{out}"
    );
    assert!(out.contains("G-single: a cycle"), "{out}");
    assert!(out.contains("because T"), "{out}");
    let (code, explained, _) = rift(&["check", "--explain", &elle("paper-example.edn")]);
    assert_eq!(code, 1);
    let graph = explained
        .split("dependency graph: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no graph: {explained}"));
    let edges: usize = graph.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(graph.lines().count(), edges + 1, "{graph}");
    for kind in ["(ww) because", "(wr) because", "(rw) because"] {
        assert!(graph.contains(kind), "{kind}: {graph}");
    }
    let (code, json, _) = rift(&["check", "--json", &elle("paper-example.edn")]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["report"]["verdict"], "invalid", "{json}");
    assert!(v["report"]["ruled_out"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("snapshot-isolation")));
}

#[test]
fn a_transactional_jsonl_history_streamed_gets_the_same_verdicts_as_its_edn() {
    let dir = std::env::temp_dir().join(format!("rift-check-txn-jsonl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let h =
        histories::formats::read_path(std::path::Path::new(&elle("si-without-g-single.edn")), None)
            .unwrap();
    let file = dir.join("h.jsonl");
    histories::formats::write_jsonl(std::fs::File::create(&file).unwrap(), &h).unwrap();
    let f = file.to_str().unwrap();
    let (si, out_si, err_si) = rift(&["check", "--consistency-model", "snapshot-isolation", f]);
    let (rr, out_rr, _) = rift(&["check", "--consistency-model", "repeatable-read", f]);
    let (inferred, out_inf, _) = rift(&["check", f]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(si, 0, "{out_si}{err_si}");
    assert_eq!(rr, 1, "{out_rr}");
    assert!(out_rr.contains("G2-item"), "{out_rr}");
    assert_eq!(inferred, 1, "{out_inf}");
    assert!(
        out_inf.contains("(transactions, model inferred)"),
        "{out_inf}"
    );
}

#[test]
fn rw_register_micro_ops_go_to_the_transactional_checker_and_read_write_ones_do_not() {
    let dir = std::env::temp_dir().join(format!("rift-check-rw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rw = dir.join("rw.edn");
    std::fs::write(
        &rw,
        "[{:process 0, :type :invoke, :f :txn, :value [[:w :x 1]]}\n\
         {:process 0, :type :ok, :f :txn, :value [[:w :x 1]]}\n\
         {:process 1, :type :invoke, :f :txn, :value [[:r :x nil]]}\n\
         {:process 1, :type :ok, :f :txn, :value [[:r :x 1]]}]",
    )
    .unwrap();
    let (code, out, err) = rift(&["check", rw.to_str().unwrap()]);
    let (knossos, kout, _) = rift(&[
        "check",
        &format!(
            "{}/knossos/multi-register/good/multi-register.edn",
            corpora()
        ),
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("rw-register workload"), "{out}");
    assert_eq!(knossos, 0, "{kout}");
    assert!(kout.contains("multi-register"), "{kout}");
}

#[test]
fn a_consistency_model_with_a_linearizability_model_is_refused() {
    let (code, _, err) = rift(&[
        "check",
        "--model",
        "cas-register",
        "--consistency-model",
        "serializable",
        &elle("paper-example.edn"),
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("--consistency-model"), "{err}");
    let (code, _, err) = rift(&[
        "check",
        "--consistency-model",
        "acid",
        &elle("paper-example.edn"),
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("snapshot-isolation"), "{err}");
}

/// Exit code of a verdict as results.json records it.
fn exit_code_of(results: &serde_json::Value) -> i32 {
    match results["verdict"]["verdict"].as_str() {
        Some("valid") => 0,
        Some("invalid") => 1,
        Some("unknown") => 2,
        other => panic!("results.json has no verdict: {other:?} in {results}"),
    }
}

#[test]
fn a_stored_run_is_rechecked_offline_with_its_checkers_and_exits_with_its_recorded_verdict() {
    let _machine = crate::machine::share();
    let store = std::env::temp_dir().join(format!("rift-check-stored-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store);
    let (code, out, err) = rift(&[
        "run",
        "--backend",
        "loopback",
        "--time-limit",
        "2",
        "--nemesis",
        "none",
        "--quiet",
        "0",
        "--seed",
        "4",
        "--test",
        "t",
        "--quiet-progress",
        "--store",
        store.to_str().unwrap(),
    ]);
    assert!((0..=2).contains(&code), "rift run failed: {out}{err}");
    let run_dir = std::fs::canonicalize(store.join("t/latest")).unwrap();
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("results.json")).unwrap())
            .unwrap();
    let recorded = exit_code_of(&results);
    assert_eq!(code, recorded);

    let (again, out, err) = rift(&["check", run_dir.to_str().unwrap()]);
    assert_eq!(again, recorded, "{out}{err}");
    assert!(out.contains("stored run (seed 4"), "{out}");
    for check in results["checks"].as_array().unwrap() {
        let name = check["checker"].as_str().unwrap();
        assert!(
            out.contains(&format!("  {name}: ")),
            "{name} missing: {out}"
        );
    }
    assert!(out.contains("as recorded in results.json"), "{out}");

    // The test's directory holds the run and a `latest` link to it: the run is checked once.
    let (by_test, out, err) = rift(&["check", store.join("t").to_str().unwrap()]);
    assert_eq!(by_test, recorded, "{out}{err}");
    assert_eq!(out.matches("stored run (seed 4").count(), 1, "{out}");

    // Without results.json the verdict can only come from checking the history again.
    std::fs::remove_file(run_dir.join("results.json")).unwrap();
    let (offline, out, err) = rift(&["check", "--json", run_dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&store).unwrap();
    assert_eq!(offline, recorded, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["checks"], results["checks"], "{out}");
    assert!(v["recorded_verdict"].is_null(), "{out}");
}

#[test]
fn no_progress_bar_is_drawn_when_stderr_is_not_a_terminal() {
    let (code, out, err) = rift(&["check", &format!("{}/knossos", corpora())]);
    assert!((0..=2).contains(&code), "{out}{err}");
    assert!(out.contains("histories:"), "{out}");
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    assert!(err.is_empty(), "{err:?}");
}

#[test]
fn a_stale_read_shrinks_to_itself_and_says_which_anomaly_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stale.jsonl");
    let ops = [
        r#"{"index":0,"time":0,"process":0,"type":"invoke","f":"write","value":1}"#,
        r#"{"index":1,"time":1,"process":0,"type":"ok","f":"write","value":1}"#,
        r#"{"index":2,"time":2,"process":0,"type":"invoke","f":"write","value":2}"#,
        r#"{"index":3,"time":3,"process":0,"type":"ok","f":"write","value":2}"#,
        r#"{"index":4,"time":4,"process":1,"type":"invoke","f":"read","value":null}"#,
        r#"{"index":5,"time":5,"process":1,"type":"ok","f":"read","value":1}"#,
    ];
    std::fs::write(&file, ops.join("\n") + "\n").unwrap();
    let (code, out, _) = rift(&["check", "--shrink", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("witness: 3 of 3 calls") && out.contains("about op 4"),
        "{out}"
    );
    assert!(out.contains("not linearizable"), "{out}");
    let shrunk: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("{\"index\""))
        .collect();
    assert_eq!(shrunk, ops, "{out}");
}

#[test]
fn a_transactional_history_shrinks_to_its_cycle_with_its_transactions() {
    let (code, out, _) = rift(&[
        "check",
        "--shrink",
        "--consistency-model",
        "serializable",
        &elle("paper-example.edn"),
    ]);
    assert_eq!(code, 1, "{out}");
    let witness = out.split("witness:").nth(1).expect("a witness");
    assert!(
        witness.contains("G-single: a cycle of 3 transactions"),
        "{out}"
    );
    assert!(witness.contains("shrunk to"), "{out}");
}

/// Four concurrent list-append transactions whose cycle runs wr rw wr rw: two anti-dependencies,
/// never adjacent (a G-nonadjacent; Elle's list_append_test G-nonadjacent-test), in Jepsen EDN.
const G_NONADJACENT_EDN: &str = "[\
    {:process 1, :type :invoke, :f :txn, :value [[:append :x 1]]}\n\
    {:process 2, :type :invoke, :f :txn, :value [[:r :x nil] [:r :y nil]]}\n\
    {:process 3, :type :invoke, :f :txn, :value [[:append :y 1]]}\n\
    {:process 4, :type :invoke, :f :txn, :value [[:r :y nil] [:r :x nil]]}\n\
    {:process 1, :type :ok, :f :txn, :value [[:append :x 1]]}\n\
    {:process 2, :type :ok, :f :txn, :value [[:r :x [1]] [:r :y []]]}\n\
    {:process 3, :type :ok, :f :txn, :value [[:append :y 1]]}\n\
    {:process 4, :type :ok, :f :txn, :value [[:r :y [1]] [:r :x []]]}]";

/// Writes `text` to a file named `name` in a fresh temporary directory; returns both.
fn temp_history(tag: &str, name: &str, text: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("rift-check-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let path = file.to_str().unwrap().to_string();
    (dir, path)
}

#[test]
fn nonadjacent_anti_dependencies_are_invalid_under_snapshot_isolation() {
    let (dir, f) = temp_history("nonadjacent", "h.edn", G_NONADJACENT_EDN);
    let (si, out_si, err_si) = rift(&["check", "--consistency-model", "snapshot-isolation", &f]);
    let (rc, out_rc, _) = rift(&["check", "--consistency-model", "read-committed", &f]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(si, 1, "{out_si}{err_si}");
    assert!(out_si.contains("G-nonadjacent: a cycle"), "{out_si}");
    assert!(out_si.contains("snapshot-isolation"), "{out_si}");
    assert_eq!(rc, 0, "{out_rc}");
}

#[test]
fn anomalies_judge_the_history_by_the_named_kinds_and_those_implying_them() {
    let (dir, f) = temp_history("anomalies", "h.edn", G_NONADJACENT_EDN);
    let (single, out_single, err_single) = rift(&["check", "--anomalies", "G-single,G1c", &f]);
    let (g2, out_g2, _) = rift(&["check", "--anomalies", "G2-item", &f]);
    let (bad, _, err_bad) = rift(&["check", "--anomalies", "G2", &f]);
    let (both, _, err_both) = rift(&[
        "check",
        "--anomalies",
        "G1a",
        "--consistency-model",
        "serializable",
        &f,
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(single, 0, "{out_single}{err_single}");
    assert!(
        out_single.contains("valid for anomalies G-single, G1c"),
        "{out_single}"
    );
    assert_eq!(g2, 1, "{out_g2}");
    assert!(out_g2.contains("invalid for anomalies G2-item"), "{out_g2}");
    assert_eq!(bad, 3, "{err_bad}");
    assert!(
        err_bad.contains("unknown anomaly \"G2\"") && err_bad.contains("G-nonadjacent"),
        "{err_bad}"
    );
    assert_eq!(both, 3, "{err_both}");
    assert!(err_both.contains("--consistency-model"), "{err_both}");
}

#[test]
fn orders_and_writes_follow_reads_can_be_turned_off() {
    // A session's stale read: p0 appends 1 to x, then reads x empty.
    let stale = "[\
        {:process 0, :type :invoke, :f :txn, :value [[:append :x 1]]}\n\
        {:process 0, :type :ok, :f :txn, :value [[:append :x 1]]}\n\
        {:process 0, :type :invoke, :f :txn, :value [[:r :x nil]]}\n\
        {:process 0, :type :ok, :f :txn, :value [[:r :x []]]}]";
    // T2 reads x = 1 and overwrites it; T3 sees T2's y but T2's predecessor's x: read skew,
    // visible only through writes-follow-reads.
    let skew = "[\
        {:process 0, :type :invoke, :f :txn, :value [[:w :x 1]]}\n\
        {:process 0, :type :ok, :f :txn, :value [[:w :x 1]]}\n\
        {:process 1, :type :invoke, :f :txn, :value [[:r :x nil] [:w :x 2] [:w :y 1]]}\n\
        {:process 1, :type :ok, :f :txn, :value [[:r :x 1] [:w :x 2] [:w :y 1]]}\n\
        {:process 2, :type :invoke, :f :txn, :value [[:r :y nil] [:r :x nil]]}\n\
        {:process 2, :type :ok, :f :txn, :value [[:r :y 1] [:r :x 1]]}]";
    let (dir, f) = temp_history("orders", "stale.edn", stale);
    let skew_file = dir.join("skew.edn");
    std::fs::write(&skew_file, skew).unwrap();
    let s = skew_file.to_str().unwrap();
    let (all_on, out_on, _) = rift(&["check", &f]);
    let (no_session, out_ns, _) = rift(&[
        "check",
        "--process-order",
        "off",
        "--consistency-model",
        "strong-session-serializable",
        &f,
    ]);
    let (none, out_none, _) = rift(&[
        "check",
        "--process-order",
        "off",
        "--realtime-order",
        "off",
        "--consistency-model",
        "serializable",
        &f,
    ]);
    let (wfr, out_wfr, _) = rift(&["check", "--consistency-model", "serializable", s]);
    let (no_wfr, out_no_wfr, _) = rift(&[
        "check",
        "--writes-follow-reads",
        "off",
        "--consistency-model",
        "serializable",
        s,
    ]);
    let (linear, _, err_linear) = rift(&[
        "check",
        "--model",
        "register",
        "--realtime-order",
        "off",
        &f,
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(all_on, 1, "{out_on}");
    assert!(out_on.contains("G-single-process"), "{out_on}");
    assert_eq!(no_session, 2, "{out_ns}");
    assert!(
        out_ns.contains("G-single-process") && out_ns.contains("were not looked for"),
        "{out_ns}"
    );
    assert_eq!(none, 0, "{out_none}");
    assert_eq!(wfr, 1, "{out_wfr}");
    assert!(out_wfr.contains("G-single: a cycle"), "{out_wfr}");
    assert_eq!(no_wfr, 0, "{out_no_wfr}");
    assert_eq!(linear, 3, "{err_linear}");
    assert!(err_linear.contains("--realtime-order"), "{err_linear}");
}

/// The issue's stale read (write 1, write 2, then a read of 1 that began after write 2 completed)
/// in a history whose clock counts in nanosecond ticks from 0, its header naming the model.
const STALE_READ: &str = r#"{"rift_history":1,"model":"cas-register"}
{"index":0,"time":0,"process":0,"type":"invoke","f":"write","value":1}
{"index":1,"time":10,"process":0,"type":"ok","f":"write","value":1}
{"index":2,"time":20,"process":1,"type":"invoke","f":"write","value":2}
{"index":3,"time":30,"process":1,"type":"ok","f":"write","value":2}
{"index":4,"time":40,"process":2,"type":"invoke","f":"read","value":null}
{"index":5,"time":50,"process":2,"type":"ok","f":"read","value":1}
"#;

#[test]
fn a_stale_read_reads_as_a_sentence_with_its_times_and_no_jargon_unless_verbose() {
    let dir = std::env::temp_dir().join(format!("rift-test-stale-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("stale.jsonl");
    std::fs::write(&file, STALE_READ).unwrap();
    let path = file.to_str().unwrap();
    let (code, out, _) = rift(&["check", path]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("stale read: read of 1 by process 2 at 40 ns (op 4) returned 1, but 2 had replaced it before the read began"),
        "{out}"
    );
    assert!(
        !out.contains("0.000 s"),
        "times in the history's own ticks: {out}"
    );
    assert!(
        !out.contains("model inferred"),
        "the header names the model: {out}"
    );
    assert!(!out.contains("memo"), "{out}");
    let (_, verbose, _) = rift(&["check", "--verbose", path]);
    assert!(verbose.contains("configurations memoised"), "{verbose}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A Jepsen bank history in EDN: two transfers, then a read that lost 3 (total 17, not 20).
const BANK_EDN: &str =
    "[{:process 0, :type :invoke, :f :transfer, :value {:from 0, :to 1, :amount 3}}\n\
    {:process 0, :type :ok, :f :transfer, :value {:from 0, :to 1, :amount 3}}\n\
    {:process 1, :type :invoke, :f :read, :value nil}\n\
    {:process 1, :type :ok, :f :read, :value {0 7, 1 10}}]";

#[test]
fn a_bank_history_is_inferred_checked_against_its_opening_balances_and_refused_without_them() {
    let (dir, f) = temp_history("bank", "h.edn", BANK_EDN);
    let init = r#"{"0": 10, "1": 10}"#;
    let (lost, out_lost, err_lost) = rift(&["check", "--init", init, &f]);
    let (none, _, err_none) = rift(&["check", &f]);
    let (other, out_other, _) = rift(&[
        "check",
        "--model",
        "bank",
        "--init",
        r#"{"0": 7, "1": 10}"#,
        &f,
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(lost, 1, "{out_lost}{err_lost}");
    assert!(out_lost.contains("(model inferred) invalid"), "{out_lost}");
    assert!(out_lost.contains("WrongTotal"), "{out_lost}");
    assert_eq!(none, 3, "{err_none}");
    assert!(
        err_none.contains("opening balances") && err_none.contains("--init"),
        "{err_none}"
    );
    // Opening at 7 + 10, the same read adds up, and is the state before the transfer: with no
    // real-time bound (a history file alone does not say the system promised one) it is valid.
    assert_eq!(other, 0, "{out_other}");
    assert!(
        out_other.contains("valid: 1 reads of 2 accounts"),
        "{out_other}"
    );
}
