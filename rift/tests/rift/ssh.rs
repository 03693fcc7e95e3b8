//! The SSH backend against the docker/ lab (five Debian hosts running sshd, built from Debian's
//! packages: `docker/build`, `docker/lab up`), in one test so the lab is built and brought up
//! once and always taken down:
//! - campaign: examples/ssh-lab.toml through the `rift` binary — booking (async writes read
//!   from one replica: Invalid under partitions; Raft: Valid) and etcd (linearizable reads:
//!   Valid) under partitions, pauses and kills, and clock skew (booking's installed, etcd's
//!   skipped: a Go program), every case as expected, every fault installed on the hosts, and
//!   nothing left on any host or on this machine;
//! - sigkill: `rift run` killed with SIGKILL mid-run leaves its nodes running on the hosts;
//!   `rift cleanup` clears the hosts and this machine;
//! - bad input: an unreachable host, a refused key, a host without iptables, a host without
//!   the system's program — each exit 3 naming the host, nothing left on the hosts reached.
//!
//! Needs root, Docker, mmdebstrap and OpenSSH's client (scripts/setup); `docker/build` takes
//! minutes the first time (CI's `.ci/run` builds the images before the tests).

use crate::leftovers::{leftovers, wait_at_most};
use crate::watch::Watch;
use runner::cluster::RunState;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The lab, up; taken down on drop.
struct Lab;

impl Lab {
    fn up() -> Lab {
        for args in [&["build"][..], &["lab", "up"][..]] {
            let script = root().join("docker").join(args[0]);
            let out = Command::new(&script).args(&args[1..]).output().unwrap();
            assert!(
                out.status.success(),
                "{} {:?}: {}",
                script.display(),
                &args[1..],
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Lab
    }

    fn ssh_config(&self) -> PathBuf {
        root().join("docker/state/ssh_config")
    }

    /// Runs `script` on `host` as the lab's user.
    fn on(&self, host: &str, script: &str) -> Output {
        Command::new("ssh")
            .arg("-F")
            .arg(self.ssh_config())
            .args([host, script])
            .output()
            .unwrap()
    }

    /// What of rift is on `host`: any process but the lab's own (tini, sshd and this probe), any
    /// /tmp/rift-* entry, any iptables rule of rift's.
    fn traces(&self, host: &str) -> Vec<String> {
        let out = self.on(
            host,
            "ps -e -o pid=,comm= | grep -v -w -E 'tini|sshd|bash|ps|grep|sudo|sed' | sed 's/^/process /'; \
             ls -d /tmp/rift-* 2>/dev/null | sed 's/^/file /'; \
             sudo -n iptables-save | grep -i rift | sed 's/^/rule /'; true",
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| format!("{host}: {l}"))
            .collect()
    }

    fn assert_clean(&self) {
        let left: Vec<String> = ["n1", "n2", "n3", "n4", "n5"]
            .iter()
            .flat_map(|h| self.traces(h))
            .collect();
        assert_eq!(
            left,
            Vec::<String>::new(),
            "rift left this on the lab's hosts"
        );
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new(root().join("docker/lab")).arg("down").status();
    }
}

/// A file of a host moved aside for a test, moved back on drop.
struct Hidden<'a> {
    lab: &'a Lab,
    host: &'static str,
    path: &'static str,
}

impl<'a> Hidden<'a> {
    fn new(lab: &'a Lab, host: &'static str, path: &'static str) -> Hidden<'a> {
        let out = lab.on(host, &format!("sudo -n mv {path} {path}.hidden"));
        assert!(out.status.success(), "{out:?}");
        Hidden { lab, host, path }
    }
}

impl Drop for Hidden<'_> {
    fn drop(&mut self) {
        let p = self.path;
        let _ = self
            .lab
            .on(self.host, &format!("sudo -n mv {p}.hidden {p}"));
    }
}

/// A scratch directory for one part of the test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rift-test-ssh-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `rift` with `args`, watching the runs it owns; gives its exit code, its output and those
/// runs' last states.
fn rift(args: &[&str], limit: Duration) -> (Option<i32>, String, Vec<RunState>) {
    let dir = scratch("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .stdout(std::fs::File::create(dir.join("out")).unwrap())
        .stderr(std::fs::File::create(dir.join("err")).unwrap())
        .spawn()
        .unwrap();
    let watch = Watch::start(child.id());
    let code = wait_at_most(&mut child, limit);
    let runs = watch.stop();
    let out = std::fs::read_to_string(dir.join("out")).unwrap_or_default()
        + &std::fs::read_to_string(dir.join("err")).unwrap_or_default();
    std::fs::remove_dir_all(&dir).unwrap();
    (code, out, runs)
}

/// A run config over the lab's hosts `hosts`.
fn config(lab: &Lab, system: &str, hosts: &[&str], time_limit_s: f64, extra: &str) -> String {
    format!(
        "backend = \"ssh\"\nnodes = 3\ntime_limit_s = {time_limit_s}\nquiet_s = 1.0\nsettle_s = 2.0\n\
         seed = 1\nready_timeout_s = 30.0\n{extra}\n[system]\nname = \"{system}\"\n\n[nemesis]\n\
         faults = [\"partition\"]\ninterval_s = 1.0\n\n[ssh]\nhosts = {hosts:?}\nconfig = {config:?}\n\
         connect_timeout_s = 3\n",
        config = lab.ssh_config().display().to_string()
    )
}

#[test]
fn the_ssh_backend_runs_campaigns_on_the_docker_lab_and_leaves_nothing_on_any_host() {
    let _machine = crate::machine::share();
    let lab = Lab::up();
    lab.assert_clean();
    campaign(&lab);
    sigkill_then_cleanup(&lab);
    bad_input(&lab);
}

fn campaign(lab: &Lab) {
    let store = scratch("campaign");
    let file = root().join("examples/ssh-lab.toml");
    let (code, out, runs) = rift(
        &[
            "campaign",
            &file.to_string_lossy(),
            "--store",
            &store.to_string_lossy(),
        ],
        Duration::from_secs(400),
    );
    assert_eq!(code, Some(0), "every case as expected:\n{out}");
    assert!(out.contains("9 cases, 0 not as expected"), "{out}");
    assert_eq!(runs.len(), 9, "one run a case");
    for run in &runs {
        let ssh = run.ssh.as_ref().expect("runs over ssh");
        assert_eq!(ssh.hosts, ["n1", "n2", "n3"]);
        assert_eq!(leftovers(run), Vec::<String>::new(), "run {}", run.run_id);
    }
    // Every fault reached the hosts, but clock skew on etcd (Go reads the clock through the
    // vDSO, out of libfaketime's reach).
    let mut installed = std::collections::BTreeSet::new();
    for test in std::fs::read_dir(&store).unwrap().flatten() {
        let etcd = test.file_name().to_string_lossy().contains("etcd");
        for stored in std::fs::read_dir(test.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let faults = stored.path().join("faults.jsonl");
            if stored.file_name() == "latest" || !faults.exists() {
                continue;
            }
            for line in std::fs::read_to_string(&faults).unwrap().lines() {
                let f: serde_json::Value = serde_json::from_str(line).unwrap();
                let kind = f["fault"]["fault"].as_str().unwrap().to_string();
                let outcome = f["outcome"].as_str().unwrap_or("");
                if etcd && kind.starts_with("clock") {
                    assert_eq!(outcome, "skipped", "{line}");
                } else {
                    assert_ne!(outcome, "skipped", "{}: {line}", faults.display());
                    if outcome == "installed" {
                        installed.insert(kind);
                    }
                }
            }
        }
    }
    for kind in ["partition", "pause", "kill", "clock_bump"] {
        assert!(
            installed.contains(kind),
            "no {kind} installed: {installed:?}"
        );
    }
    lab.assert_clean();
    std::fs::remove_dir_all(&store).unwrap();
}

fn sigkill_then_cleanup(lab: &Lab) {
    let dir = scratch("sigkill");
    let file = dir.join("run.toml");
    let store = format!("store = {:?}", dir.join("store").display().to_string());
    std::fs::write(
        &file,
        config(lab, "booking", &["n1", "n2", "n3"], 60.0, &store),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(["run", "--config", &file.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Until every node runs and a partition may be in force.
    let deadline = Instant::now() + Duration::from_secs(60);
    let state = loop {
        let mine = RunState::all()
            .into_iter()
            .filter_map(|p| RunState::load(&p).ok())
            .find(|s| s.owner.pid == child.id() as i32);
        if let Some(s) = mine.filter(|s| s.ssh.as_ref().is_some_and(|x| x.processes.len() == 3)) {
            break s;
        }
        assert!(Instant::now() < deadline, "the run never started its nodes");
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_secs(3));
    child.kill().unwrap();
    child.wait().unwrap();
    let left: Vec<String> = ["n1", "n2", "n3"]
        .iter()
        .flat_map(|h| lab.traces(h))
        .collect();
    assert!(
        left.iter().filter(|t| t.contains("booking-node")).count() == 3,
        "the killed run's nodes still run on the hosts: {left:?}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(["cleanup", "--run-id", state.run_id.as_str()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    lab.assert_clean();
    assert_eq!(leftovers(&state), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `toml`; asserts exit 3 with a message naming `host` and saying `why`, and nothing left.
fn refused(lab: &Lab, name: &str, toml: &str, host: &str, why: &str) {
    let dir = scratch(name);
    let file = dir.join("run.toml");
    let store = dir.join("store").display().to_string();
    std::fs::write(&file, format!("store = {store:?}\n{toml}")).unwrap();
    let (code, out, runs) = rift(
        &["run", "--config", &file.to_string_lossy()],
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(3), "{name}: {out}");
    assert!(
        out.contains(&format!("host {host}")) && out.contains(why),
        "{name}: the error names host {host} and says {why:?}: {out}"
    );
    for run in &runs {
        assert_eq!(leftovers(run), Vec::<String>::new(), "{name}");
    }
    lab.assert_clean();
    std::fs::remove_dir_all(&dir).unwrap();
}

fn bad_input(lab: &Lab) {
    refused(
        lab,
        "unreachable",
        &config(lab, "booking", &["n1", "n2", "10.99.0.99"], 5.0, ""),
        "10.99.0.99",
        "cannot connect",
    );
    // A key the hosts do not know, without the lab's ssh config (which would offer its own).
    let keys = scratch("key");
    let key = keys.join("id_ed25519");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success());
    let known = root().join("docker/state/known_hosts");
    refused(
        lab,
        "refused-key",
        &format!(
            "backend = \"ssh\"\nnodes = 1\n{}\n[system]\nname = \"booking\"\n\n\
             [nemesis]\nfaults = [\"pause\"]\n\n[ssh]\n\
             hosts = [\"10.99.0.11\"]\nuser = \"rift\"\nidentity = {:?}\nknown_hosts = {:?}\n\
             connect_timeout_s = 3\n",
            "",
            key.display().to_string(),
            known.display().to_string()
        ),
        "10.99.0.11",
        "Permission denied",
    );
    std::fs::remove_dir_all(&keys).unwrap();
    {
        let _hidden = Hidden::new(lab, "n3", "/usr/sbin/iptables-restore");
        refused(
            lab,
            "no-iptables",
            &config(lab, "booking", &["n1", "n2", "n3"], 5.0, ""),
            "n3",
            "iptables-restore",
        );
    }
    {
        let _hidden = Hidden::new(lab, "n2", "/usr/bin/etcd");
        refused(
            lab,
            "no-etcd",
            &config(lab, "etcd", &["n1", "n2", "n3"], 5.0, ""),
            "n2",
            "has no program etcd",
        );
    }
}
