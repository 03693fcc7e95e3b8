//! `rift run` against real booking clusters (root: namespaces, iptables, signals).
//!
//! Module map:
//! - strategies: a short run of async writes with reads from one replica under partitions is
//!   Invalid, and the same schedule against raft (reads through the leader: read majority) is
//!   Valid, over several seeds (raft with reads from one replica reads a local copy, stale by
//!   design);
//! - kill: a runner killed with SIGKILL mid-run leaves a history `rift check` reads, and
//!   `rift cleanup` leaves nothing of that run behind.
//!
//! booking-node must be built (`cargo build -p booking`; `cargo test --workspace` builds it).

use checker::Verdict;
use faults::{FaultKind, Shape, Target};
use runner::run::{run, RunConfig, RunOptions, RunOutcome, SystemConfig};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn store(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("rift-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// A 4 s booking run under isolating partitions, every second or so.
fn short(replication: &str, read: &str, seed: u64, store: &Path) -> RunConfig {
    let mut c = RunConfig {
        test: format!("booking-{replication}"),
        time_limit_s: 4.0,
        quiet_s: 1.0,
        rate: 300.0,
        concurrency: 6,
        op_timeout_ms: 500,
        seed: Some(seed),
        store: store.to_path_buf(),
        ..RunConfig::default()
    };
    c.system = SystemConfig::named("booking", &[("replication", replication), ("read", read)]);
    c.workload.keys = 2;
    c.nemesis.faults = vec![FaultKind::Partition];
    c.nemesis.partitions = vec![Shape::IsolateOne];
    c.nemesis.targets = vec![Target::One];
    c.nemesis.interval_s = 1.0;
    c
}

/// The async/one run of `seed`, which must be Invalid. A valid run fails the test when its
/// partitions gave an occasion for a stale read, or when a write went through a cut recorded as in
/// force; one whose partitions gave no occasion is run again, saying so.
fn invalid_async_run(seed: u64, root: &Path) -> RunOutcome {
    for attempt in 1..=crate::cut::ATTEMPTS {
        let weak = run(
            short("async", "one", seed, root),
            &rift::builtin(),
            &RunOptions::default(),
        )
        .expect("async run");
        if weak.results.verdict == Verdict::Invalid {
            return weak;
        }
        let what = format!("seed {seed}: {:?}", weak.results.checks);
        crate::cut::judge_valid_run(&weak.context.dir.path, attempt, &what);
    }
    unreachable!("the last attempt returns or fails")
}

#[test]
fn async_writes_read_from_one_replica_are_invalid_under_partitions_and_raft_with_read_index_is_valid_with_the_same_schedule(
) {
    let _machine = crate::machine::share();
    let root = store("strategies");
    for seed in [11, 12, 13] {
        let options = RunOptions::default();
        let weak = invalid_async_run(seed, &root);
        let strong = run(
            short("raft", "majority", seed, &root),
            &rift::builtin(),
            &options,
        )
        .expect("raft run");
        assert_eq!(
            strong.plan, weak.plan,
            "seed {seed}: the same fault schedule"
        );
        assert_eq!(
            strong.results.verdict,
            Verdict::Valid,
            "seed {seed}: raft should be linearizable; {:?}",
            strong.results.checks
        );
        assert!(
            strong.results.stats.ok > 100,
            "seed {seed}: raft served calls"
        );
        for o in [&weak, &strong] {
            let stored = runner::store::load_run(&o.context.dir.path).unwrap();
            let skipped: Vec<_> = stored
                .faults
                .iter()
                .filter(|f| matches!(f.record.outcome, faults::Outcome::Skipped { .. }))
                .collect();
            assert!(
                skipped.is_empty(),
                "seed {seed}: every fault took effect, the final heal's included (it undoes only what is in force): {skipped:?}"
            );
        }
    }
    std::fs::remove_dir_all(&root).unwrap();
}

/// The run state file of the rift process `pid`, once it exists.
fn state_of(pid: u32, deadline: Instant) -> PathBuf {
    loop {
        for path in runner::cluster::RunState::all() {
            if let Ok(s) = runner::cluster::RunState::load(&path) {
                if s.owner.pid == pid as i32 {
                    return path;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "rift {pid} never recorded its run state"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether `pid` is a live process (a zombie is dead: only its exit status is left for init).
fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn history_lines(store: &Path) -> usize {
    let h = store.join("kill/latest/history.jsonl");
    std::fs::read_to_string(h).map_or(0, |t| t.lines().count())
}

#[test]
fn a_runner_killed_mid_run_leaves_a_readable_history_and_cleanup_leaves_nothing_behind() {
    let _machine = crate::machine::share();
    let root = store("kill");
    let rift = env!("CARGO_BIN_EXE_rift");
    let mut child = Command::new(rift)
        .args([
            "run",
            "--test",
            "kill",
            "--time-limit",
            "30",
            "--seed",
            "3",
            "--quiet-progress",
        ])
        .arg("--store")
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let state_file = state_of(child.id(), deadline);
    while history_lines(&root) < 200 {
        assert!(
            Instant::now() < deadline,
            "the run recorded nothing in {}: {:?}",
            root.display(),
            std::fs::read_dir(&root).map(|d| d.count())
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let state = runner::cluster::RunState::load(&state_file).unwrap();
    assert!(!state.processes.is_empty(), "the run had started its nodes");

    // What `rift check HISTORY` does: read the file, check it against the run's model.
    let history = root.join("kill/latest/history.jsonl");
    let read = histories::formats::read_path(&history, None).expect("the history reads");
    let spec = checker::model::ModelSpec::new(checker::model::spec::ModelKind::Booking);
    let report = checker::linear::check_history(&read, &spec, &Default::default())
        .expect("the history checks");
    assert!(report.calls > 0, "the killed run recorded calls");
    let stored = runner::store::load_run(&root.join("kill/latest")).unwrap();
    assert!(stored.results.is_none());
    assert!(!stored.history.is_empty());
    stored
        .history
        .calls()
        .expect("the history pairs into calls; open calls read as info");

    let id = state.run_id.to_string();
    let cleanup = Command::new(rift)
        .args(["cleanup", "--run-id", &id])
        .output()
        .unwrap();
    assert_eq!(
        cleanup.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cleanup.stdout)
    );
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let netns = String::from_utf8_lossy(&netns.stdout);
    assert!(
        !netns.contains(&id),
        "namespaces of run {id} remain: {netns}"
    );
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&links.stdout).contains(&id),
        "links of run {id} remain"
    );
    for p in &state.processes {
        assert!(
            !running(p.pid),
            "node process {} of run {id} remains",
            p.pid
        );
    }
    assert!(!state_file.exists(), "the state file of run {id} remains");
    assert!(
        !state.temp_dir.exists(),
        "temp dir {} remains",
        state.temp_dir.display()
    );
    std::fs::remove_dir_all(&root).unwrap();
}
