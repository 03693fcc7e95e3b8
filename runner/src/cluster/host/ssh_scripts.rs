//! The bash scripts the SSH backend runs on a host, one function each, so that each can be read
//! (and tested with this machine's bash) apart from the connection that carries it.
//!
//! A process is named by its pid and start time (field 22 of `/proc/PID/stat`), and every
//! script that acts on one first checks that the pid still names that process. Signals go
//! through bash's builtin `kill -s SIG -- -PGID`: neither dash's builtin (no `--`) nor procps'
//! `/usr/bin/kill` (4.0.2 refuses or ignores every spelling of a negative pid, some with exit
//! status 0) can signal a process group. bash is an essential package on Debian.

use super::quote;
use crate::system::NodeCommand;
use faults::process::ProcessIdentity;
use nix::sys::signal::Signal;
use std::fmt::Write;
use std::path::Path;

/// Sets `$1`.. to the fields of `/proc/PID/stat` after the command name (`$1` the state,
/// `${20}` the start time), or prints `gone` and exits when the pid is free, names another
/// process, or names a zombie (dead, its parent not yet told).
fn identify(p: &ProcessIdentity) -> String {
    format!(
        "s=$(sed 's/.*) //' /proc/{pid}/stat 2>/dev/null) || s=\n\
         set -- $s\n\
         if [ -z \"$s\" ] || [ \"${{20}}\" != {start} ]; then echo gone; exit 0; fi\n\
         case \"$1\" in Z|X) echo gone; exit 0;; esac\n",
        pid = p.pid,
        start = p.start_time
    )
}

/// Prints the state letter of `p` (`S`, `R`, `T`, `Z`...) or `gone`.
pub fn status(p: &ProcessIdentity) -> String {
    format!("{}echo \"$1\"\n", identify(p))
}

/// The shell function `tree`, which prints the pids of every descendant of `root`.
fn tree_function(root: i32) -> String {
    format!(
        "tree() {{ ps -e -o pid= -o ppid= | awk -v r={root} '{{ p[$1] = $2 }} END {{ t[r] = 1; \
         while (1) {{ c = 0; for (x in p) if (!(x in t) && (p[x] in t)) {{ t[x] = 1; c = 1 }}; \
         if (!c) break }}; for (x in t) if (x != r) print x }}'; }}\n"
    )
}

/// Sends `signal` to the process tree led by `p` (its group, then every descendant of the
/// leader, wherever its group) when `whole_tree`, else to its group only; prints `sent`, or
/// `gone`. SIGKILL stops the tree before it looks for descendants (a dead leader's children are
/// re-parented); SIGSTOP walks the tree three times, for processes forked meanwhile.
pub fn signal(p: &ProcessIdentity, signal: Signal, whole_tree: bool) -> String {
    let kill = "kill";
    let pid = p.pid;
    let mut s = identify(p);
    let name = &signal.as_str()[3..];
    if !whole_tree {
        let _ = writeln!(s, "{kill} -s {name} -- -{pid}\necho sent");
        return s;
    }
    s.push_str(&tree_function(pid));
    if signal == Signal::SIGKILL {
        let _ = writeln!(
            s,
            "{kill} -s STOP -- -{pid} 2>/dev/null\nk=$(tree)\n{kill} -s KILL -- -{pid}\n\
             for x in $k; do {kill} -s KILL $x 2>/dev/null; done\necho sent"
        );
    } else {
        let walks = if signal == Signal::SIGSTOP { 3 } else { 1 };
        let _ = writeln!(
            s,
            "{kill} -s {name} -- -{pid}\nfor i in $(seq {walks}); do for x in $(tree); do \
             {kill} -s {name} $x 2>/dev/null; done; done\necho sent"
        );
    }
    s
}

/// `command` as words: `env NO_COLOR=1 K=V.. PROGRAM ARGS`, as its user through `sudo -n -u`
/// when it names one.
fn command_words(command: &NodeCommand, program: &Path, env: &[(String, String)]) -> String {
    let mut s = String::new();
    if let Some(user) = &command.user {
        let _ = write!(s, "sudo -n -u {} ", quote::word(user));
    }
    s.push_str("env NO_COLOR=1");
    for (k, v) in command.env.iter().chain(env) {
        let _ = write!(s, " {}", quote::word(&format!("{k}={v}")));
    }
    let _ = write!(s, " {}", quote::path(program));
    for a in &command.args {
        let _ = write!(s, " {}", quote::word(a));
    }
    s
}

/// Runs `command` (as `program`, where the host has it) in `cwd` with `env` added.
pub fn run(command: &NodeCommand, program: &Path, env: &[(String, String)], cwd: &Path) -> String {
    format!(
        "cd {} || exit 126\nexec {}\n",
        quote::path(cwd),
        command_words(command, program, env)
    )
}

/// Starts `command` detached, as the leader of a new session and process group, its output
/// appended to `log`, in `cwd`; prints its pid and start time. `exec` keeps both from the shell
/// that prints them to the program.
pub fn spawn(
    command: &NodeCommand,
    program: &Path,
    env: &[(String, String)],
    log: &Path,
    cwd: &Path,
) -> String {
    let inner =
        format!(
        "echo $$ $(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20); exec {} >>{} 2>&1 </dev/null",
        command_words(&NodeCommand { user: None, ..command.clone() }, program, env),
        quote::path(log)
    );
    let sudo = match &command.user {
        Some(user) => format!("sudo -n -u {} ", quote::word(user)),
        None => String::new(),
    };
    format!(
        "cd {cwd} || exit 126\ntouch {log} && chmod a+w {log} || exit 126\n\
         exec {sudo}setsid -f sh -c {inner}\n",
        cwd = quote::path(cwd),
        log = quote::path(log),
        inner = quote::word(&inner)
    )
}

/// Removes everything a run left on a host: kills the trees of `processes` (those whose pids
/// still name them) and any process working in `dir` or naming it on its command line (one
/// started as the run was interrupted, before it could be listed), deletes rift's chain `chain`
/// and the jump to it carrying `comment`, and removes `dir`; then prints `left: ...` for
/// whatever is still there.
pub fn clean(processes: &[ProcessIdentity], chain: &str, comment: &str, dir: &Path) -> String {
    // The marker names the processes carrying this script (the shell, sudo), which name `dir`.
    let mut s = String::from("# rift-clean\n");
    for p in processes {
        let _ = writeln!(s, "(\n{})", signal(p, Signal::SIGKILL, true));
    }
    let (chain, comment, dir) = (quote::word(chain), quote::word(comment), quote::path(dir));
    let _ = write!(
        s,
        "for p in /proc/[0-9]*; do\n\
         \x20 c=$(readlink \"$p/cwd\" 2>/dev/null); a=$(tr '\\0' ' ' < \"$p/cmdline\" 2>/dev/null)\n\
         \x20 case \"$c\" in {dir}|{dir}/*) kill -s KILL \"${{p#/proc/}}\" 2>/dev/null; continue;; esac\n\
         \x20 case \"$a\" in *rift-clean*) continue;; *{dir}/*) kill -s KILL \"${{p#/proc/}}\" 2>/dev/null;; esac\n\
         done\n\
         for i in $(seq 16); do iptables -w -D INPUT -m comment --comment {comment} -j {chain} \
         2>/dev/null || break; done\n\
         iptables -w -F {chain} 2>/dev/null; iptables -w -X {chain} 2>/dev/null\n\
         rm -rf {dir}\n\
         if iptables -w -S {chain} >/dev/null 2>&1; then echo left: chain {chain}; fi\n\
         if [ -e {dir} ]; then echo left: {dir}; fi\n\
         exit 0\n"
    );
    s
}

/// Writes standard input to `path` (through a temporary file and a rename, so a reader never
/// sees it half written), owned by `owner` if given.
pub fn write_file(path: &Path, owner: Option<&str>) -> String {
    let tmp = path.with_extension("rift-tmp");
    let mut s = format!(
        "mkdir -p {dir} && cat > {tmp} && mv {tmp} {path}",
        dir = quote::path(path.parent().unwrap_or(Path::new("/"))),
        tmp = quote::path(&tmp),
        path = quote::path(path)
    );
    if let Some(user) = owner {
        let _ = write!(
            s,
            " && sudo -n chown {} {}",
            quote::word(user),
            quote::path(path)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn sh(script: &str) -> String {
        let out = std::process::Command::new("bash")
            .args(["-c", script])
            .output()
            .unwrap();
        assert!(out.status.success(), "{script}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn wait_for(p: &ProcessIdentity, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let got = sh(&status(p));
            if got == want || Instant::now() > deadline {
                assert_eq!(got, want);
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_spawned_tree_is_paused_resumed_and_killed_with_the_child_that_left_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("n0.log");
        // A leader that starts a child in a session of its own, then sleeps.
        let command = NodeCommand::new(
            "sh",
            [
                "-c",
                "setsid sleep 60 & echo started; echo \"$GREETING\"; sleep 60",
            ],
        );
        let env = [("GREETING".to_string(), "it's here".to_string())];
        let printed = sh(&spawn(&command, Path::new("sh"), &env, &log, dir.path()));
        let mut words = printed.split_whitespace();
        let p = ProcessIdentity {
            pid: words.next().unwrap().parse().unwrap(),
            start_time: words.next().unwrap().parse().unwrap(),
        };
        assert_eq!(
            Some(p),
            ProcessIdentity::of(p.pid),
            "the identity printed is the process's"
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        while !std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("it's here")
        {
            assert!(Instant::now() < deadline, "the program wrote to its log");
            std::thread::sleep(Duration::from_millis(10));
        }
        // The child calls setsid itself, a moment after it is forked.
        let outside = || {
            faults::signals::descendants(p.pid).into_iter().find(|c| {
                nix::unistd::getpgid(Some(nix::unistd::Pid::from_raw(*c))).ok()
                    != Some(nix::unistd::Pid::from_raw(p.pid))
            })
        };
        let child = loop {
            if let Some(c) = outside() {
                break c;
            }
            assert!(
                Instant::now() < deadline,
                "a child outside the leader's group"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let child = ProcessIdentity::of(child).unwrap();
        assert_eq!(sh(&signal(&p, Signal::SIGSTOP, true)), "sent");
        wait_for(&p, "T");
        wait_for(&child, "T");
        assert_eq!(sh(&signal(&p, Signal::SIGCONT, true)), "sent");
        wait_for(&p, "S");
        assert_eq!(sh(&signal(&p, Signal::SIGKILL, true)), "sent");
        // Not rift's child here: the shell that ran the script left it to init.
        let deadline = Instant::now() + Duration::from_secs(5);
        while (p.is_alive() || child.is_alive()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!p.is_alive() && !child.is_alive(), "the whole tree is dead");
        assert_eq!(sh(&status(&p)), "gone");
        assert_eq!(sh(&signal(&p, Signal::SIGCONT, true)), "gone");
    }

    #[test]
    fn a_recycled_pid_is_gone_and_never_signalled() {
        let me = ProcessIdentity::of(std::process::id() as i32).unwrap();
        let other = ProcessIdentity {
            start_time: me.start_time + 1,
            ..me
        };
        assert_eq!(sh(&status(&other)), "gone");
        assert_eq!(sh(&signal(&other, Signal::SIGKILL, true)), "gone");
        assert_eq!(sh(&status(&me)), "S");
    }

    #[test]
    fn clean_removes_the_directory_and_kills_what_it_lists_or_what_works_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("rift-00000000");
        std::fs::create_dir_all(run.join("n0")).unwrap();
        let command = NodeCommand::new("sleep", ["60"]);
        let printed = sh(&spawn(
            &command,
            Path::new("sleep"),
            &[],
            &run.join("n0.log"),
            &run,
        ));
        let mut words = printed.split_whitespace();
        let p = ProcessIdentity {
            pid: words.next().unwrap().parse().unwrap(),
            start_time: words.next().unwrap().parse().unwrap(),
        };
        // Started as a run is interrupted, before it is listed: found by its working directory.
        let printed = sh(&spawn(
            &command,
            Path::new("sleep"),
            &[],
            &run.join("n1.log"),
            &run.join("n0"),
        ));
        let pid = printed.split_whitespace().next().unwrap().parse().unwrap();
        let unlisted = ProcessIdentity::of(pid).unwrap();
        // In a network namespace of its own: the host's firewall is never touched, and the
        // chain (absent there) is quietly nothing to delete.
        let script = clean(&[p], "rift-test-none", "rift run none", &run);
        let left = sh(&format!(
            "exec unshare --net bash -c {}",
            quote::word(&script)
        ));
        assert!(!left.contains("left:"), "{left}");
        assert!(!run.exists());
        let deadline = Instant::now() + Duration::from_secs(5);
        while (p.is_alive() || unlisted.is_alive()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!p.is_alive() && !unlisted.is_alive());
    }
}
