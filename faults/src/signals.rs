//! Pause, resume and kill: signals to a node's process tree — its process group and every
//! descendant of the group's leader, wherever their group. A node's program may fork processes
//! that leave its group (PostgreSQL's backends each call `setsid`); they are the node too.

use crate::{FaultError, NodeId};
use nix::errno::Errno;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::collections::{BTreeMap, BTreeSet};

/// Sends `signal` to process group `pgid` of `node`. Returns `Ok(false)` when the group no
/// longer exists (the precondition "the process runs" was false), `Ok(true)` when delivered.
pub fn signal_group(node: NodeId, pgid: i32, signal: Signal) -> Result<bool, FaultError> {
    match killpg(Pid::from_raw(pgid), signal) {
        Ok(()) => Ok(true),
        Err(Errno::ESRCH) => Ok(false),
        Err(source) => Err(FaultError::Signal {
            node,
            pgid,
            signal: signal.as_str(),
            source,
        }),
    }
}

/// Sends `signal` to the process tree of `node` whose leader is `pgid` (its group, then every
/// descendant of the leader). Returns what [`signal_group`] returns for the group.
pub fn signal_tree(node: NodeId, pgid: i32, signal: Signal) -> Result<bool, FaultError> {
    send_tree(pgid, signal).map_err(|source| FaultError::Signal {
        node,
        pgid,
        signal: signal.as_str(),
        source,
    })
}

/// Sends `signal` to the process tree whose leader is `pgid`: its group, then every descendant
/// of the leader. `Ok(false)` when the group no longer exists.
///
/// SIGSTOP is sent until no descendant is left unstopped (one may fork while the walk runs).
/// SIGKILL stops the tree first and kills what it found: once the leader is dead its children
/// are re-parented and can no longer be found from it.
pub fn send_tree(pgid: i32, signal: Signal) -> Result<bool, Errno> {
    let group = |signal| match killpg(Pid::from_raw(pgid), signal) {
        Ok(()) => Ok(true),
        Err(Errno::ESRCH) => Ok(false),
        Err(e) => Err(e),
    };
    if signal == Signal::SIGKILL {
        let delivered = send_tree(pgid, Signal::SIGSTOP)?;
        let tree = descendants(pgid);
        group(Signal::SIGKILL)?;
        for pid in tree {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        return Ok(delivered);
    }
    let delivered = group(signal)?;
    let mut signalled = BTreeSet::new();
    for _ in 0..STOP_WALKS {
        let fresh: Vec<i32> = descendants(pgid)
            .into_iter()
            .filter(|p| signalled.insert(*p))
            .collect();
        for pid in &fresh {
            let _ = kill(Pid::from_raw(*pid), signal);
        }
        if fresh.is_empty() || signal != Signal::SIGSTOP {
            break;
        }
    }
    Ok(delivered)
}

/// The most walks of a tree that SIGSTOP makes: each finds the processes forked since the last;
/// a tree still forking after this many has stopped all but its newest.
const STOP_WALKS: usize = 16;

/// The pids of every live descendant of `root` (not `root` itself), from `/proc`.
pub fn descendants(root: i32) -> Vec<i32> {
    let mut children: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        if let Some(ppid) = parent(pid) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut found = Vec::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        for &c in children.get(&p).into_iter().flatten() {
            found.push(c);
            todo.push(c);
        }
    }
    found
}

/// The parent of `pid` (field 4 of `/proc/<pid>/stat`).
fn parent(pid: i32) -> Option<i32> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    text[text.rfind(')')? + 1..]
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::ProcessIdentity;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// A group leader whose child leaves its group (`setsid`), as PostgreSQL's backends do; the
    /// leader and the child's identities.
    fn leader_with_escaped_child() -> (std::process::Child, ProcessIdentity, ProcessIdentity) {
        let mut leader = Command::new("sh")
            .args(["-c", "setsid sleep 30 & echo $!; wait"])
            .process_group(0)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(leader.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let child: i32 = line.trim().parse().unwrap();
        // `setsid` execs `sleep` in the forked child: wait until it has left the group.
        let deadline = Instant::now() + Duration::from_secs(5);
        while nix::unistd::getpgid(Some(Pid::from_raw(child))).ok() != Some(Pid::from_raw(child)) {
            assert!(Instant::now() < deadline, "the child never left the group");
            std::thread::sleep(Duration::from_millis(5));
        }
        let me = ProcessIdentity::of(leader.id() as i32).unwrap();
        (leader, me, ProcessIdentity::of(child).unwrap())
    }

    fn eventually(what: &str, f: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !f() {
            assert!(
                Instant::now() < deadline,
                "{what} did not happen within 10 s"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Kills the processes it names when dropped, so a failed assertion leaves none stopped.
    struct KillOnDrop(Vec<ProcessIdentity>);

    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            for p in &self.0 {
                if p.is_alive() {
                    let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
                }
            }
        }
    }

    #[test]
    fn a_child_that_left_the_group_is_paused_resumed_and_killed_with_its_node() {
        let (mut leader, me, child) = leader_with_escaped_child();
        let _guard = KillOnDrop(vec![me, child]);
        let node = NodeId(0);
        assert!(descendants(me.pid).contains(&child.pid));

        assert!(signal_tree(node, me.pid, Signal::SIGSTOP).unwrap());
        // A signal is acted on when its target next runs: its state changes a moment later.
        eventually("the leader stopping", || me.is_stopped());
        eventually("the child stopping", || child.is_stopped());

        assert!(signal_tree(node, me.pid, Signal::SIGCONT).unwrap());
        eventually("the child resuming", || !child.is_stopped());

        assert!(signal_tree(node, me.pid, Signal::SIGKILL).unwrap());
        leader.wait().unwrap();
        // The child, re-parented once its leader died, is reaped by init.
        eventually("the child dying", || !child.is_alive());
    }

    #[test]
    fn a_group_that_is_gone_is_reported_as_gone() {
        let mut c = Command::new("true").process_group(0).spawn().unwrap();
        let pid = c.id() as i32;
        c.wait().unwrap();
        assert!(!signal_tree(NodeId(0), pid, Signal::SIGSTOP).unwrap());
    }
}
