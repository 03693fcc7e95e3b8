//! PostgreSQL through the `postgres` system: a primary and two streaming standbys in network
//! namespaces, list-append transactions at each isolation level, and bad input.
//!
//! - each isolation level runs list-append on the primary: serializable is Valid under strict
//!   serializability, repeatable read under snapshot isolation, read committed is decided; every
//!   level's history holds committed reads that saw appends;
//! - rw-register and bank on serializable are Valid;
//! - reads from the client's own node reach the standbys (transactions served by nodes 1 and 2);
//! - kills and restarts: killed nodes (the primary among them) restart and serve again;
//! - bad input through the `rift` binary, each exit 3 with nothing left behind: an unknown
//!   isolation level (the message names the allowed ones), programs not found (the message names
//!   the Debian package), a primary that never becomes ready.
//!
//! Needs root and Debian's `postgresql` package (scripts/setup installs it).

use crate::leftovers::{traces, wait_at_most};
use checker::txn::ConsistencyModel;
use checker::Verdict;
use faults::FaultKind;
use histories::OpType;
use runner::run::{run, RunConfig, RunOptions, RunOutcome, SystemConfig};
use runner::workload::WorkloadKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn store(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("rift-test-pg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// A 3 s list-append run on three nodes with `options`.
fn short(options: &[(&str, &str)], store: &Path) -> RunConfig {
    let mut c = RunConfig {
        test: "postgres".into(),
        time_limit_s: 3.0,
        quiet_s: 1.0,
        rate: 100.0,
        concurrency: 6,
        op_timeout_ms: 1000,
        seed: Some(1),
        store: store.to_path_buf(),
        ..RunConfig::default()
    };
    c.system = SystemConfig::named("postgres", options);
    c.workload.kind = Some(WorkloadKind::Append);
    c.workload.keys = 4;
    c.nemesis.faults = vec![];
    c
}

fn ran(config: RunConfig) -> RunOutcome {
    run(config, &rift::builtin(), &RunOptions::default()).expect("the run completes")
}

/// How many transactions committed (ok) with a read that saw a non-empty list.
fn ok_reads_seeing_appends(outcome: &RunOutcome) -> usize {
    outcome
        .history
        .ops
        .iter()
        .filter(|o| o.kind == OpType::Ok && o.f == "txn")
        .filter(|o| {
            o.value
                .as_array()
                .into_iter()
                .flatten()
                .any(|m| m[0] == "r" && m[2].as_array().is_some_and(|l| !l.is_empty()))
        })
        .count()
}

#[test]
fn serializable_is_strict_serializable_repeatable_read_is_snapshot_isolation_read_committed_decided(
) {
    let _machine = crate::machine::share();
    let root = store("levels");
    let levels = [
        ("serializable", Some(ConsistencyModel::StrictSerializable)),
        ("repeatable-read", Some(ConsistencyModel::SnapshotIsolation)),
        // Judged against strict serializability, which it does not promise: decided either
        // way, never Unknown.
        ("read-committed", None),
    ];
    for (level, promised) in levels {
        let mut config = short(&[("isolation", level), ("reads", "primary")], &root);
        config.workload.consistency_model =
            promised.unwrap_or(ConsistencyModel::StrictSerializable);
        let outcome = ran(config);
        let seen = ok_reads_seeing_appends(&outcome);
        assert!(
            seen > 10,
            "{level}: only {seen} committed reads saw appends"
        );
        let verdict = &outcome.results.verdict;
        match promised {
            Some(model) => assert_eq!(
                *verdict,
                Verdict::Valid,
                "{level} under {model:?}: {:?}",
                outcome.results.checks
            ),
            None => assert!(
                !matches!(verdict, Verdict::Unknown { .. }),
                "{level}: {:?}",
                outcome.results.checks
            ),
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn rw_register_and_bank_on_serializable_are_valid() {
    let _machine = crate::machine::share();
    let root = store("rw-bank");
    for kind in [WorkloadKind::RwRegister, WorkloadKind::Bank] {
        let mut config = short(&[("isolation", "serializable")], &root);
        config.workload.kind = Some(kind);
        let outcome = ran(config);
        let ok = outcome
            .history
            .ops
            .iter()
            .filter(|o| o.kind == OpType::Ok)
            .count();
        assert!(ok > 50, "{kind:?}: only {ok} ok calls");
        assert_eq!(
            outcome.results.verdict,
            Verdict::Valid,
            "{kind:?}: {:?}",
            outcome.results.checks
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn reads_from_the_own_node_are_served_by_the_standbys() {
    let _machine = crate::machine::share();
    let root = store("own");
    let outcome = ran(short(&[("reads", "own-node")], &root));
    let standbys: std::collections::BTreeSet<String> = outcome
        .history
        .ops
        .iter()
        .filter(|o| o.kind == OpType::Ok && o.f == "txn")
        .filter_map(|o| o.node.clone())
        .filter(|n| n != "n0")
        .collect();
    assert_eq!(standbys.len(), 2, "ok transactions served by {standbys:?}");
    assert!(ok_reads_seeing_appends(&outcome) > 10);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn killed_and_paused_nodes_come_back_and_serializable_stays_valid() {
    let _machine = crate::machine::share();
    let root = store("kills");
    let mut config = short(&[("isolation", "serializable")], &root);
    config.time_limit_s = 8.0;
    config.nemesis.faults = vec![FaultKind::Kill, FaultKind::Pause];
    config.nemesis.targets = vec![faults::Target::One, faults::Target::Primaries];
    config.nemesis.interval_s = 1.5;
    let outcome = ran(config);
    let installed = outcome.faults.len();
    assert!(installed >= 2, "faults: {:?}", outcome.faults);
    assert_eq!(
        outcome.results.verdict,
        Verdict::Valid,
        "{:?}",
        outcome.results.checks
    );
    // Committed after the last fault ended: the cluster served again.
    assert!(ok_reads_seeing_appends(&outcome) > 10);
    let _ = std::fs::remove_dir_all(&root);
}

/// What of run `id` is still on the machine: its namespaces and temp dir (where the nodes'
/// data directories are), and processes working in that directory (every PostgreSQL process
/// works in its cluster's directory; backends rename themselves, so their command lines do not
/// say). Other runs on the machine, this test's or not, are not looked at.
fn left_of_run(id: &str) -> Vec<String> {
    let tag = format!("rift-{id}");
    let mut left: Vec<String> = traces(&[])
        .into_iter()
        .filter(|t| t.contains(&tag))
        .collect();
    let dir = std::env::temp_dir().join(&tag);
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) {
            if cwd.starts_with(&dir) {
                let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
                left.push(format!(
                    "process {} ({}) in {}",
                    entry.file_name().to_string_lossy(),
                    comm.trim(),
                    cwd.display()
                ));
            }
        }
    }
    left
}

/// `rift run` of a 2 s list-append config with `system` as its `[system]` table and `env` set,
/// in a store of its own; its exit code and output, and what of its run it left (none when the
/// run never started).
fn rift_run(name: &str, system: &str, env: &[(&str, &str)]) -> (Option<i32>, String, Vec<String>) {
    let _machine = crate::machine::share();
    let dir = store(name);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("run.toml");
    std::fs::write(
        &config,
        format!(
            "time_limit_s = 2.0\nquiet_s = 0.5\n\n[system]\n{system}\n\n\
             [workload]\nkind = \"append\"\n\n[nemesis]\nfaults = []\n"
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(["run", "--config"])
        .arg(&config)
        .arg("--store")
        .arg(dir.join("store"))
        .envs(env.iter().copied())
        .stdout(std::fs::File::create(dir.join("out.txt")).unwrap())
        .stderr(std::fs::File::create(dir.join("err.txt")).unwrap())
        .spawn()
        .unwrap();
    let code = wait_at_most(&mut child, Duration::from_secs(60));
    let out = std::fs::read_to_string(dir.join("out.txt")).unwrap_or_default()
        + &std::fs::read_to_string(dir.join("err.txt")).unwrap_or_default();
    // "rift: run 1c5e8adf of postgres ..." once the run has an id.
    let left = out
        .split_whitespace()
        .skip_while(|w| *w != "run")
        .nth(1)
        .map(left_of_run)
        .unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    (code, out, left)
}

#[test]
fn an_unknown_isolation_level_is_a_config_error_naming_the_allowed_ones() {
    let (code, out, left) = rift_run(
        "bad-level",
        "name = \"postgres\"\nisolation = \"snapshot\"",
        &[],
    );
    assert_eq!(code, Some(3), "{out}");
    for allowed in [
        "read-committed",
        "repeatable-read",
        "serializable",
        "snapshot",
    ] {
        assert!(out.contains(allowed), "{allowed} not in: {out}");
    }
    assert!(left.is_empty(), "left {left:?}");
}

#[test]
fn programs_not_found_are_an_error_naming_the_package() {
    let (code, out, left) = rift_run(
        "no-programs",
        "name = \"postgres\"",
        &[("RIFT_POSTGRES_BIN", "/nonexistent/postgresql/bin")],
    );
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("Debian package `postgresql`"), "{out}");
    assert!(left.is_empty(), "left {left:?}");
}

#[test]
fn a_primary_that_never_becomes_ready_is_an_error_that_leaves_nothing_behind() {
    // The real programs, but a pg_isready that never says the server accepts connections.
    let bin = store("never-ready-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let real = rift_postgres::Binaries::find().expect("postgresql is installed");
    for p in ["postgres", "initdb", "pg_basebackup"] {
        std::os::unix::fs::symlink(real.program(p), bin.join(p)).unwrap();
    }
    let isready = bin.join("pg_isready");
    std::fs::write(&isready, "#!/bin/sh\necho 'no response'\nexit 2\n").unwrap();
    std::fs::set_permissions(
        &isready,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let (code, out, left) = rift_run(
        "never-ready",
        "name = \"postgres\"",
        &[("RIFT_POSTGRES_BIN", bin.to_str().unwrap())],
    );
    let _ = std::fs::remove_dir_all(&bin);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("no response"), "{out}");
    assert!(out.contains("the end of its log:\n  | "), "{out}");
    assert!(out.contains("rift: run "), "the run never started: {out}");
    assert!(left.is_empty(), "left {left:?}");
}
