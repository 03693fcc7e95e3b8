//! Starting one process of a node (the node itself, a companion, a setup command): in the node's
//! namespace, as the command's user, as the leader of its own process group.

use crate::system::NodeCommand;
use crate::RunError;
use faults::process::ProcessIdentity;
use faults::NodeId;
use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// `command` as a [`Command`]: in `namespace` if any, as its user if it names one, with its
/// environment and `extra_env`, leading a process group of its own.
pub fn prepare(
    command: &NodeCommand,
    namespace: Option<&str>,
    extra_env: &[(String, String)],
) -> Result<Command, RunError> {
    let program = command.program.to_string_lossy().into_owned();
    let mut cmd = match namespace {
        Some(ns) => faults::netns::command_in(ns, &program)?,
        None => Command::new(&program),
    };
    // Output goes to log files: ask programs for no terminal colours (https://no-color.org).
    cmd.env("NO_COLOR", "1")
        .args(&command.args)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .envs(extra_env.iter().map(|(k, v)| (k, v)))
        .process_group(0);
    if let Some(user) = &command.user {
        as_user(&mut cmd, &NodeUser::lookup(user)?);
    }
    Ok(cmd)
}

/// A user a node's processes run as: its ids, supplementary groups and home.
#[derive(Debug, Clone)]
pub struct NodeUser {
    /// The user's name.
    pub name: String,
    /// Its uid.
    pub uid: nix::unistd::Uid,
    /// Its primary group.
    pub gid: nix::unistd::Gid,
    /// Its supplementary groups, its primary group included.
    pub groups: Vec<nix::unistd::Gid>,
    /// Its home directory.
    pub home: std::path::PathBuf,
}

impl NodeUser {
    /// The user called `name`, from the system's user database.
    pub fn lookup(name: &str) -> Result<NodeUser, RunError> {
        let unknown = |why: String| RunError::Cluster(format!("user {name:?}: {why}"));
        let user = nix::unistd::User::from_name(name)
            .map_err(|e| unknown(e.to_string()))?
            .ok_or_else(|| unknown("no such user on this machine".into()))?;
        let cname = std::ffi::CString::new(name).map_err(|e| unknown(e.to_string()))?;
        let groups =
            nix::unistd::getgrouplist(&cname, user.gid).map_err(|e| unknown(e.to_string()))?;
        Ok(NodeUser {
            name: name.to_string(),
            uid: user.uid,
            gid: user.gid,
            groups,
            home: user.dir,
        })
    }

    /// Gives `path` (a file or directory rift made) to the user.
    pub fn own(&self, path: &Path) -> Result<(), RunError> {
        nix::unistd::chown(path, Some(self.uid), Some(self.gid))
            .map_err(|e| RunError::io("chown", path)(std::io::Error::from(e)))
    }
}

/// Makes `cmd` drop to `user` once it has entered its namespace (entering one needs root, so the
/// switch comes after `faults::netns::command_in`'s step), with the user's name and home in its
/// environment.
fn as_user(cmd: &mut Command, user: &NodeUser) {
    let (uid, gid, groups) = (user.uid, user.gid, user.groups.clone());
    cmd.env("USER", &user.name)
        .env("LOGNAME", &user.name)
        .env("HOME", &user.home);
    // SAFETY: setgroups(2), setgid(2) and setuid(2) are async-signal-safe; the closure only
    // reads what was allocated before the fork.
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setgroups(&groups)?;
            nix::unistd::setgid(gid)?;
            nix::unistd::setuid(uid)?;
            Ok(())
        });
    }
}

/// A process rift started: its identity (to never signal a recycled pid) and, when rift is its
/// parent, its handle (to reap it).
#[derive(Debug)]
pub struct Proc {
    /// The child handle, for a process of this machine.
    pub child: Option<Child>,
    /// Its pid and start time; its pid is also its process group id.
    pub identity: ProcessIdentity,
}

impl Proc {
    /// Starts `command` for `node`, in network namespace `namespace` if any, with `extra_env`,
    /// output appended to `log`, in directory `cwd`.
    pub fn spawn(
        node: NodeId,
        command: &NodeCommand,
        namespace: Option<&str>,
        extra_env: &[(String, String)],
        log: &Path,
        cwd: &Path,
    ) -> Result<Proc, RunError> {
        let mut cmd = prepare(command, namespace, extra_env)?;
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(RunError::io("open", log))?;
        let err = out.try_clone().map_err(RunError::io("open", log))?;
        cmd.current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let line = faults::describe_command(&cmd);
        let child = cmd.spawn().map_err(|source| RunError::Spawn {
            node,
            command: line,
            source,
        })?;
        let pid = child.id() as i32;
        // Until reaped, even a process that exited at once keeps its /proc entry.
        let identity = ProcessIdentity::of(pid).unwrap_or(ProcessIdentity { pid, start_time: 0 });
        Ok(Proc {
            child: Some(child),
            identity,
        })
    }
}
