//! MariaDB Galera Cluster through the `rift` binary and the runner's cluster: a short healthy
//! list-append run that commits transactions, is judged, and leaves nothing behind, an unknown isolation level refused before
//! anything starts, and a node that never becomes ready stopping the start with an error that
//! names it, again leaving nothing behind.
//!
//! Needs root (namespaces) and the Debian packages mariadb-server, galera-4 and rsync
//! (scripts/setup installs them).

use crate::leftovers::wait_at_most;
use faults::NodeId;
use rift_galera::{GaleraAdapter, GaleraOptions};
use runner::cluster::{Backend, Cluster, ClusterConfig, RunId};
use runner::system::{Adapter, NodeCommand, NodeFile, NodeSpec, Shell};
use runner::RunError;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// Everything of run `id` still on the machine: its namespaces, its temp dir (where its nodes'
/// data directories are), and any process whose command line names that directory (its
/// servers, and the rsync daemons of snapshot transfers). Other runs on the machine (other
/// tests, other users of it) are not looked at.
fn left_of_run(id: &str) -> Vec<String> {
    let mut left = Vec::new();
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    for line in String::from_utf8_lossy(&netns.stdout).lines() {
        if line.starts_with(&format!("rift-{id}-")) {
            left.push(format!("namespace {line}"));
        }
    }
    let dir = std::env::temp_dir().join(format!("rift-{id}"));
    if dir.exists() {
        left.push(format!("temp dir {}", dir.display()));
    }
    let marker = format!("rift-{id}/");
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(&marker) {
            left.push(format!(
                "process {}: {cmdline}",
                entry.file_name().to_string_lossy()
            ));
        }
    }
    left
}

/// The run id in `words` after `prefix` (8 hex digits).
fn run_id_after<'a>(words: &'a str, prefix: &str) -> &'a str {
    let at = words
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} in {words}"));
    &words[at + prefix.len()..at + prefix.len() + 8]
}

/// A scratch directory for one test, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d =
            std::env::temp_dir().join(format!("rift-test-galera-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `rift run` on `config` (its store in `dir`), killed after `limit`; its exit code and
/// output.
fn rift_run(dir: &Dir, config: &str, limit: Duration) -> (Option<i32>, String) {
    let file = dir.0.join("run.toml");
    std::fs::write(
        &file,
        format!("store = {:?}\n{config}", dir.0.join("store")),
    )
    .unwrap();
    let out = dir.0.join("out.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(["run", "--config"])
        .arg(&file)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(dir.0.join("err.txt")).unwrap())
        .spawn()
        .unwrap();
    let code = wait_at_most(&mut child, limit);
    let words = std::fs::read_to_string(&out).unwrap_or_default()
        + &std::fs::read_to_string(dir.0.join("err.txt")).unwrap_or_default();
    (code, words)
}

#[test]
fn a_healthy_galera_cluster_runs_list_append_transactions_and_leaves_nothing_behind() {
    let _machine = crate::machine::share();
    let dir = Dir::new("healthy");
    let (code, words) = rift_run(
        &dir,
        r#"
system = { name = "galera" }
workload = { kind = "append", keys = 4 }
nemesis = { faults = [] }
time_limit_s = 4.0
quiet_s = 0.5
rate = 100.0
concurrency = 6
seed = 1
"#,
        Duration::from_secs(120),
    );
    assert_eq!(code, Some(0), "{words}");
    assert!(
        words.contains("transactions (strict-serializable): valid"),
        "{words}"
    );
    let committed: usize = words
        .split(" ok, ")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        committed > 100,
        "only {committed} transactions committed:\n{words}"
    );
    let left = left_of_run(run_id_after(&words, "rift: run "));
    assert!(left.is_empty(), "the run left {left:?}");
}

#[test]
fn an_unknown_isolation_level_is_refused_with_the_levels_galera_has() {
    let dir = Dir::new("isolation");
    let (code, words) = rift_run(
        &dir,
        "system = { name = \"galera\", isolation = \"read-committed\" }\n",
        Duration::from_secs(20),
    );
    assert_eq!(code, Some(3), "{words}");
    for expected in ["read-committed", "repeatable-read", "serializable"] {
        assert!(words.contains(expected), "{expected:?} not in: {words}");
    }
    assert!(
        !dir.0.join("store").join("galera").exists(),
        "nothing was started or stored"
    );
}

#[test]
fn an_out_of_range_wsrep_sync_wait_is_refused_with_its_range() {
    let dir = Dir::new("sync-wait");
    let (code, words) = rift_run(
        &dir,
        "system = { name = \"galera\", wsrep_sync_wait = 16 }\n",
        Duration::from_secs(20),
    );
    assert_eq!(code, Some(3), "{words}");
    assert!(words.contains("0..=15"), "{words}");
}

/// Galera's adapter with node 2 configured for another cluster (another `wsrep_cluster_name`):
/// the members refuse it, so it never becomes a synced member.
struct Stranger(GaleraAdapter);

impl Adapter for Stranger {
    fn name(&self) -> String {
        self.0.name()
    }
    fn port(&self) -> u16 {
        self.0.port()
    }
    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        self.0.command(node)
    }
    fn files(&self, node: &NodeSpec) -> Result<Vec<NodeFile>, String> {
        let mut files = self.0.files(node)?;
        if node.id == NodeId(2) {
            for f in &mut files {
                f.contents = f.contents.replace(
                    "wsrep_cluster_name = rift\n",
                    "wsrep_cluster_name = elsewhere\n",
                );
            }
        }
        Ok(files)
    }
    fn setup(&self, node: &NodeSpec) -> Result<Vec<NodeCommand>, String> {
        self.0.setup(node)
    }
    fn starts_after(&self, node: &NodeSpec) -> Vec<NodeId> {
        self.0.starts_after(node)
    }
    fn probe(&self, node: &NodeSpec, shell: &dyn Shell) -> Result<(), String> {
        self.0.probe(node, shell)
    }
}

#[test]
fn a_galera_node_that_never_becomes_ready_stops_the_start_naming_it_and_leaves_nothing() {
    let _machine = crate::machine::share();
    let run_id = RunId::random();
    let config = ClusterConfig {
        nodes: 3,
        backend: Backend::Local,
        ready_timeout_ms: 15_000,
        run_id: Some(run_id.clone()),
        ..ClusterConfig::default()
    };
    let adapter = Stranger(GaleraAdapter {
        options: GaleraOptions::default(),
    });
    let err = match Cluster::start(config, Arc::new(adapter)) {
        Ok(_) => panic!("a node of another cluster became ready"),
        Err(e) => e,
    };
    assert!(
        matches!(
            &err,
            RunError::NotReady { node, .. } | RunError::Exited { node, .. } if *node == NodeId(2)
        ),
        "{err}"
    );
    // The log goes with the run's directory: the error quotes it.
    let words = err.to_string();
    assert!(words.contains("the end of its log:\n  | "), "{words}");
    let left = left_of_run(run_id.as_str());
    assert!(left.is_empty(), "the failed start left {left:?}");
}
