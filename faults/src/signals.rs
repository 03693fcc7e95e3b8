//! Pause, resume and kill: signals to a node's process group.

use crate::{FaultError, NodeId};
use nix::errno::Errno;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

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
