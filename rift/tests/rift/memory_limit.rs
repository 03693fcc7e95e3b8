//! `rift check` is never killed by the kernel for memory: with no `--memory-limit` it takes its
//! limit from the room it has when it starts (here: an address-space rlimit, a small memory
//! cgroup created and removed by the test) and stops with Unknown and the reason, exit 2.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A single-register history of 50 processes with many crashed calls and colliding values,
/// which the search cannot decide within a few hundred MiB.
fn hard_history(dir: &Path) -> PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args([
            "gen",
            "--calls",
            "40000",
            "--keys",
            "1",
            "--processes",
            "50",
            "--info-rate",
            "0.1",
            "--colliding",
        ])
        .output()
        .expect("rift gen runs");
    assert!(out.status.success(), "{out:?}");
    let file = dir.join("hard.jsonl");
    std::fs::write(&file, out.stdout).expect("the history is written");
    file
}

/// Runs `script` (with `$RIFT` and `$HISTORY` set) in sh; its exit code (`None` when killed by a
/// signal) and stdout.
fn sh(script: &str, history: &Path) -> (Option<i32>, String) {
    let out = Command::new("sh")
        .args(["-c", script])
        .env("RIFT", env!("CARGO_BIN_EXE_rift"))
        .env("HISTORY", history)
        .output()
        .expect("sh runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn under_a_low_address_space_rlimit_a_hard_history_is_unknown_not_killed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let history = hard_history(dir.path());
    // 640 MiB of address space; the search alone would want gigabytes.
    let (code, out) = sh(
        r#"ulimit -v 655360 && exec "$RIFT" check "$HISTORY""#,
        &history,
    );
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("unknown"), "{out}");
    assert!(out.contains("memory limit of"), "{out}");
    assert!(out.contains("address-space rlimit"), "{out}");
}

/// A memory cgroup made under the test's own, removed when dropped.
struct Cgroup {
    dir: PathBuf,
}

impl Cgroup {
    /// A child of this process's memory cgroup (v2 when the unified hierarchy has the memory
    /// controller, else v1) whose limit is `bytes`.
    fn new(bytes: u64) -> Cgroup {
        let own = std::fs::read_to_string("/proc/self/cgroup").expect("/proc/self/cgroup");
        let v2 = std::fs::read_to_string("/sys/fs/cgroup/cgroup.controllers")
            .is_ok_and(|c| c.split_whitespace().any(|c| c == "memory"));
        let (root, limit, wanted): (&str, &str, fn(&str) -> bool) = if v2 {
            ("/sys/fs/cgroup", "memory.max", |c| c.is_empty())
        } else {
            ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", |c| {
                c.split(',').any(|c| c == "memory")
            })
        };
        let path = own
            .lines()
            .filter_map(|l| {
                let mut p = l.splitn(3, ':');
                let (_, c, path) = (p.next()?, p.next()?, p.next()?);
                wanted(c).then(|| path.trim_start_matches('/').to_string())
            })
            .next()
            .expect("this machine has a memory cgroup controller (v1 or v2)");
        let dir = Path::new(root)
            .join(path)
            .join(format!("rift-test-memory-{}", std::process::id()));
        std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
        let cgroup = Cgroup { dir };
        std::fs::write(cgroup.dir.join(limit), bytes.to_string()).expect("the limit is set");
        cgroup
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // Its only process has exited by now.
        let _ = std::fs::remove_dir(&self.dir);
    }
}

#[test]
fn in_a_small_memory_cgroup_a_hard_history_is_unknown_not_killed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let history = hard_history(dir.path());
    let cgroup = Cgroup::new(384 << 20);
    // The shell moves itself into the cgroup, then becomes rift.
    let script = format!(
        r#"echo $$ > {}/cgroup.procs && exec "$RIFT" check "$HISTORY""#,
        cgroup.dir.display()
    );
    let (code, out) = sh(&script, &history);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("memory limit of"), "{out}");
    assert!(out.contains("memory cgroup"), "{out}");
    drop(cgroup);
}
