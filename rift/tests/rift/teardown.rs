//! Teardown leaves nothing behind: after a normal run, after a panic, after SIGTERM, and after
//! SIGKILL followed by `rift cleanup` — no namespace, link, iptables rule, live or stopped
//! process, faketime file, temp dir or state file of the run remains (needs root, as in CI).
//!
//! Each test's cluster runs the booking service with a paused node, a partition and a shifted
//! clock in force, so every kind of leftover is there to be left.

use faults::{Fault, Grudge, Injector, NodeId, Shape, Target};
use rift_booking::{BookingAdapter, BookingOptions};
use runner::cluster::{Backend, Cluster, ClusterConfig, RunId, RunState};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// What a run made, as the tests check it afterwards.
#[derive(Debug, Clone)]
struct Made {
    state: RunState,
    clock_files: Vec<PathBuf>,
}

/// Everything of `made` that still exists, in words: the run's leftovers and its faketime files.
fn leftovers(made: &Made) -> Vec<String> {
    let mut left = crate::leftovers::leftovers(&made.state);
    for f in &made.clock_files {
        if f.exists() {
            left.push(format!("faketime file {}", f.display()));
        }
    }
    left
}

fn booking_cluster() -> Cluster {
    let options = BookingOptions {
        replication: booking::config::ReplicationKind::Async,
        read: booking::config::ReadLevel::One,
        conflict: None,
    };
    let adapter = BookingAdapter::new(options).expect("booking-node is built");
    let config = ClusterConfig {
        nodes: 3,
        backend: Backend::Local,
        ..ClusterConfig::default()
    };
    Cluster::start(config, Arc::new(adapter)).expect("a booking cluster starts (needs root)")
}

/// Pauses node 1, isolates node 0, shifts node 2's clock; returns what the run made.
fn fault_everything(cluster: &mut Cluster) -> Made {
    let mut injector = Injector::new(&mut *cluster, 5);
    let one = |i| Target::Nodes(vec![NodeId(i)]);
    injector.apply(&Fault::Pause { target: one(1) }).unwrap();
    let g = Grudge::between(&[NodeId(0)], &[NodeId(1), NodeId(2)]);
    injector
        .apply(&Fault::Partition {
            shape: Shape::Exact(g),
        })
        .unwrap();
    injector
        .apply(&Fault::ClockBump {
            target: one(2),
            delta_ms: 5000,
        })
        .unwrap();
    let made = Made {
        state: cluster.state().clone(),
        clock_files: (0..3)
            .filter_map(|i| cluster.clock_file(NodeId(i)).map(PathBuf::from))
            .collect(),
    };
    assert_eq!(made.clock_files.len(), 3);
    assert!(
        leftovers(&made).len() >= 10,
        "the run made what the test checks: {:?}",
        leftovers(&made)
    );
    made
}

#[test]
fn a_normal_run_leaves_nothing_behind() {
    let _machine = crate::machine::share();
    let mut cluster = booking_cluster();
    let made = fault_everything(&mut cluster);
    drop(cluster);
    assert_eq!(leftovers(&made), Vec::<String>::new());
}

#[test]
fn a_panic_while_faults_are_in_force_leaves_nothing_behind() {
    let _machine = crate::machine::share();
    let made = std::sync::Mutex::new(None);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut cluster = booking_cluster();
        *made.lock().unwrap() = Some(fault_everything(&mut cluster));
        panic!("a deliberate panic with the cluster up");
    }));
    assert!(result.is_err());
    let made = made.lock().unwrap().clone().expect("the cluster was up");
    assert_eq!(leftovers(&made), Vec::<String>::new());
}

/// Starts `rift cluster-up` with every kind of fault in force and waits for its state line.
fn cluster_up() -> (std::process::Child, Made) {
    let id = RunId::random();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args([
            "cluster-up",
            "--run-id",
            id.as_str(),
            "--system",
            "booking",
            "--option",
            "replication=async",
            "--backend",
            "local",
        ])
        .args([
            "--pause",
            "1",
            "--isolate",
            "0",
            "--clock",
            "2",
            "--hold",
            "60",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("rift cluster-up reports its state");
    let v: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    let state: RunState = serde_json::from_value(v["state"].clone()).unwrap();
    let clock_files = v["clock_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| PathBuf::from(f.as_str().unwrap()))
        .collect();
    let made = Made { state, clock_files };
    assert_eq!(made.state.run_id, id);
    let stopped = made
        .state
        .processes
        .iter()
        .filter(|p| p.is_stopped())
        .count();
    assert_eq!(stopped, 1, "node 1 is paused");
    (child, made)
}

/// Waits at most 10 s for `child` to exit; its exit code, or the signal that ended it.
fn wait(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "rift did not exit within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &std::process::Child, sig: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
}

#[test]
fn sigterm_tears_the_run_down_before_rift_exits() {
    let _machine = crate::machine::share();
    let (mut child, made) = cluster_up();
    signal(&child, nix::sys::signal::Signal::SIGTERM);
    let status = wait(&mut child);
    assert_eq!(
        status.code(),
        Some(128 + 15),
        "rift exits with 128 + SIGTERM"
    );
    assert_eq!(leftovers(&made), Vec::<String>::new());
}

#[test]
fn after_sigkill_rift_cleanup_removes_everything_the_run_left() {
    let _machine = crate::machine::share();
    let (mut child, made) = cluster_up();
    signal(&child, nix::sys::signal::Signal::SIGKILL);
    wait(&mut child);
    assert!(
        !leftovers(&made).is_empty(),
        "a SIGKILLed rift leaves its run behind"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(["cleanup", "--run-id", made.state.run_id.as_str()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "rift cleanup: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(leftovers(&made), Vec::<String>::new());
}

#[test]
fn rift_cleanup_leaves_a_live_run_alone() {
    let _machine = crate::machine::share();
    let mut cluster = booking_cluster();
    let made = Made {
        state: cluster.state().clone(),
        clock_files: Vec::new(),
    };
    let before = leftovers(&made);
    let id = made.state.run_id.as_str();
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(["cleanup", "--run-id", id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        leftovers(&made),
        before,
        "a run whose rift lives is not cleaned up"
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains(&format!("run {}: still running", made.state.run_id)));
    cluster.teardown();
    assert_eq!(leftovers(&made), Vec::<String>::new());
}
