//! Running a program inside a named network namespace (`/run/netns/<name>`, as `ip netns` makes
//! them), by `setns(2)` in the child before exec: like `ip netns exec`, minus one exec.

use crate::FaultError;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

/// The file that pins network namespace `name`.
pub fn namespace_path(name: &str) -> PathBuf {
    PathBuf::from("/run/netns").join(name)
}

/// A command that runs `program` inside network namespace `name`.
pub fn command_in(name: &str, program: &str) -> Result<Command, FaultError> {
    let path = namespace_path(name);
    let ns = File::open(&path).map_err(|source| FaultError::Namespace {
        namespace: name.to_string(),
        source,
    })?;
    let mut cmd = Command::new(program);
    // SAFETY: setns(2) is async-signal-safe; the closure allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET)
                .map_err(std::io::Error::from)
        });
    }
    Ok(cmd)
}
