//! `rift replay` against real booking clusters (root: namespaces, iptables, signals).
//!
//! Module map:
//! - replays: a short run of async writes with reads from one replica, under a hand-made fault
//!   schedule that its seed would not draw, is Invalid; `rift replay RUN_DIR --repeat 2` reruns
//!   its config and seed with the recorded faults at their recorded offsets, and reports "k of 2"
//!   consistently with the verdicts the replays stored (exit 0 when k = 2, else 1); a run
//!   recorded as valid whose replay is not reports it and exits 1; nothing of any run is left;
//! - refusals: a directory that is not a run, a run that never finished and `--repeat 0` exit 3
//!   with a message that says why.
//!
//! booking-node must be built (`cargo build -p booking`; `cargo test --workspace` builds it).

use crate::leftovers::assert_none_left;
use crate::watch::Watch;
use checker::Verdict;
use faults::{Fault, Grudge, NodeId, Shape, Target};
use runner::nemesis::{Plan, Planned};
use runner::run::{run, RunConfig, RunOptions};
use runner::store::{load_run, FaultLine, StoredRun};
use std::mem::discriminant;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const MS: u64 = 1_000_000;

/// How far a replay may apply a fault from where the original applied it (the nemesis polls
/// every 20 ms at most; the machine may be loaded).
const TOLERANCE: u64 = 500 * MS;

fn temp_root(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("rift-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    std::fs::canonicalize(&p).unwrap()
}

/// A 4 s booking run with async writes and reads from one replica, 2 rooms.
fn config(seed: u64, store: &Path) -> RunConfig {
    let mut c = RunConfig {
        test: format!("replay-{seed}"),
        time_limit_s: 4.0,
        quiet_s: 1.0,
        rate: 300.0,
        op_timeout_ms: 500,
        seed: Some(seed),
        store: store.to_path_buf(),
        ..RunConfig::default()
    };
    c.workload.keys = 2;
    c
}

/// A schedule no seed draws: replica n1 cut off from both others 0.7-1.6 s, then n2 paused
/// 2.2-3.0 s (the config's nemesis would draw partitions and pauses at other offsets).
fn hand_made_plan() -> Plan {
    let n2 = || Target::Nodes(vec![NodeId(2)]);
    let steps = [
        (
            700,
            Fault::Partition {
                shape: Shape::Exact(Grudge::between(&[NodeId(1)], &[NodeId(0), NodeId(2)])),
            },
        ),
        (1600, Fault::Heal),
        (2200, Fault::Pause { target: n2() }),
        (3000, Fault::Resume { target: n2() }),
    ];
    Plan {
        steps: steps
            .into_iter()
            .map(|(ms, fault)| Planned { at: ms * MS, fault })
            .collect(),
    }
}

fn rift(args: &[&str], dir: Option<&Path>) -> (Output, Vec<runner::cluster::RunState>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rift"));
    cmd.args(args);
    if let Some(d) = dir {
        cmd.arg(d);
    }
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let watch = Watch::start(child.id());
    let out = child.wait_with_output().unwrap();
    (out, watch.stop())
}

fn planned(run: &StoredRun) -> Vec<&FaultLine> {
    run.faults
        .iter()
        .filter(|f| f.planned_at.is_some())
        .collect()
}

/// "replay 1: invalid (DIR)" lines: each replay's directory and the verdict printed for it.
fn replay_lines(stdout: &str) -> Vec<(PathBuf, String)> {
    stdout
        .lines()
        .filter(|l| l.starts_with("replay "))
        .map(|l| {
            let (head, dir) = l.rsplit_once(" (").expect("replay N: VERDICT (DIR)");
            let verdict = head.split(": ").nth(1).unwrap_or("").to_string();
            (PathBuf::from(dir.trim_end_matches(')')), verdict)
        })
        .collect()
}

/// The replays' verdicts, and how many were of the original verdict's kind.
fn reproduced(replays: &[(PathBuf, String)], original: &Verdict) -> (Vec<Verdict>, usize) {
    let verdicts: Vec<Verdict> = replays
        .iter()
        .map(|(dir, printed)| {
            let v = load_run(dir)
                .unwrap()
                .results
                .expect("results.json")
                .verdict;
            assert!(
                printed.starts_with(&v.to_string()),
                "{}: printed {printed:?}, stored {v}",
                dir.display()
            );
            v
        })
        .collect();
    let same = verdicts
        .iter()
        .filter(|v| discriminant(*v) == discriminant(original))
        .count();
    (verdicts, same)
}

/// The run copied to `to` (a new run directory of the same store layout) with `results.json`
/// either left out or with its verdict replaced.
fn copy_run(from: &Path, to: &Path, verdict: Option<&str>) {
    std::fs::create_dir_all(to).unwrap();
    for f in ["run.json", "config.toml", "history.jsonl", "faults.jsonl"] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
    if let Some(v) = verdict {
        let text = std::fs::read_to_string(from.join("results.json")).unwrap();
        let mut results: serde_json::Value = serde_json::from_str(&text).unwrap();
        results["verdict"] = serde_json::json!({ "verdict": v });
        std::fs::write(to.join("results.json"), results.to_string()).unwrap();
    }
}

#[test]
fn a_replay_reruns_the_config_and_seed_with_the_recorded_faults_at_their_offsets_and_counts_what_it_reproduced(
) {
    // Alone: it watches every run this test process owns.
    let _machine = crate::machine::alone();
    let root = temp_root("replay");
    let mine = Watch::start(std::process::id());
    let options = RunOptions {
        plan: Some(hand_made_plan()),
        ..RunOptions::default()
    };
    // A stale read under async/one is likely, not certain: the first of three seeds that finds one.
    let original = [21, 22, 23]
        .into_iter()
        .map(|seed| run(config(seed, &root), &rift::builtin(), &options).expect("the original run"))
        .find(|o| o.results.verdict == Verdict::Invalid)
        .expect("async/one shows a stale read or a double booking on one of 3 seeds");
    let dir = original.context.dir.path.clone();
    let stored = load_run(&dir).unwrap();
    assert_eq!(
        planned(&stored).len(),
        4,
        "the original applied the whole plan"
    );
    assert_ne!(
        runner::nemesis::Plan::draw(
            &stored.meta.config.nemesis,
            3,
            stored.meta.config.time_limit_ns(),
            runner::run::derive(stored.meta.seed, runner::run::Stream::Nemesis)
        ),
        hand_made_plan(),
        "the seed would draw another schedule, so only a replay of the record passes"
    );

    let (out, runs) = rift(&["replay", "--repeat", "2"], Some(&dir));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let both = format!("{stdout}{stderr}");
    assert!(stdout.contains("not deterministic"), "{both}");
    let replays = replay_lines(&stdout);
    assert_eq!(replays.len(), 2, "{both}");
    for (replay_dir, _) in &replays {
        assert_eq!(
            replay_dir.parent(),
            dir.parent(),
            "a replay is stored beside the original"
        );
        let replay = load_run(replay_dir).unwrap();
        assert_eq!(replay.meta.seed, stored.meta.seed);
        assert_eq!(replay.meta.config, stored.meta.config, "the same config");
        let (theirs, ours) = (planned(&replay), planned(&stored));
        assert_eq!(theirs.len(), ours.len(), "{}", replay_dir.display());
        for (r, o) in theirs.iter().zip(&ours) {
            assert_eq!(r.record.fault, o.record.fault);
            assert_eq!(r.planned_at, o.planned_at);
            assert_eq!(r.record.nodes, o.record.nodes);
            assert_eq!(r.record.grudge, o.record.grudge);
            assert_eq!(r.record.outcome, o.record.outcome);
            let at = r.planned_at.unwrap();
            assert!(
                r.start >= at && r.start.abs_diff(o.start) <= TOLERANCE,
                "{:?} applied at {} ns, planned at {at}, originally applied at {}",
                r.record.fault,
                r.start,
                o.start
            );
        }
    }
    let (verdicts, same) = reproduced(&replays, &Verdict::Invalid);
    assert!(
        stdout.contains(&format!(
            "{same} of 2 replays reproduced the original verdict (invalid)"
        )),
        "stored verdicts {verdicts:?}; {both}"
    );
    assert_eq!(
        out.status.code(),
        Some(if same == 2 { 0 } else { 1 }),
        "{both}"
    );
    assert_eq!(runs.len(), 2, "one cluster per replay");

    // The same run recorded as valid: its replay (almost surely invalid) does not reproduce it.
    let doctored = root.join("doctored/run");
    copy_run(&dir, &doctored, Some("valid"));
    let (out, more) = rift(&["replay"], Some(&doctored));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let both = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let replays = replay_lines(&stdout);
    assert_eq!(replays.len(), 1, "{both}");
    let (verdicts, same) = reproduced(&replays, &Verdict::Valid);
    assert!(
        stdout.contains(&format!(
            "{same} of 1 replays reproduced the original verdict (valid)"
        )),
        "stored verdicts {verdicts:?}; {both}"
    );
    assert_eq!(
        out.status.code(),
        Some(if same == 1 { 0 } else { 1 }),
        "{both}"
    );

    let all: Vec<_> = mine.stop().into_iter().chain(runs).chain(more).collect();
    assert_none_left(&all);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_directory_that_is_not_a_finished_run_and_zero_repeats_are_refused_with_exit_3() {
    let _machine = crate::machine::share();
    let root = temp_root("replay-refusals");
    let (out, runs) = rift(&["replay"], Some(&root));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("not a rift run directory"), "{err}");

    // What a runner killed mid-run leaves: run.json and a history, no results.json.
    let meta = runner::store::RunMeta {
        config: config(5, &root),
        run_id: String::new(),
        replay_of: None,
        seed: 5,
        rift_version: "test".into(),
        started_at: "now".into(),
        host: runner::store::HostFacts::here(),
        reproduce: String::new(),
    };
    std::fs::write(root.join("run.json"), serde_json::to_string(&meta).unwrap()).unwrap();
    std::fs::write(root.join("history.jsonl"), "{\"rift_history\":1}\n").unwrap();
    let (unfinished, more) = rift(&["replay"], Some(&root));
    let err = String::from_utf8_lossy(&unfinished.stderr);
    assert_eq!(unfinished.status.code(), Some(3), "{err}");
    assert!(err.contains("did not finish"), "{err}");

    let (zero, _) = rift(&["replay", "--repeat", "0"], Some(&root));
    let err = String::from_utf8_lossy(&zero.stderr);
    assert_eq!(zero.status.code(), Some(3), "{err}");
    assert!(err.contains("--repeat"), "{err}");
    assert!(runs.is_empty() && more.is_empty(), "no cluster was started");
    std::fs::remove_dir_all(&root).unwrap();
}
