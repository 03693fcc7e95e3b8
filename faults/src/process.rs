//! A process as rift knows it: its pid together with its start time, so that a pid the kernel
//! has since recycled for another program is never signalled.

use serde::{Deserialize, Serialize};

/// A pid and the time it started (clock ticks since boot, from `/proc/<pid>/stat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessIdentity {
    /// The process id (also its process group id: rift starts each node as a group leader).
    pub pid: i32,
    /// Field 22 of `/proc/<pid>/stat`: when the process started, in clock ticks since boot.
    pub start_time: u64,
}

impl ProcessIdentity {
    /// The identity of the live process `pid`, or `None` if there is none.
    pub fn of(pid: i32) -> Option<ProcessIdentity> {
        let (_, start_time) = stat(pid)?;
        Some(ProcessIdentity { pid, start_time })
    }

    /// Whether this very process still exists (same pid, same start time, not a zombie).
    pub fn is_alive(&self) -> bool {
        matches!(stat(self.pid), Some((state, t)) if t == self.start_time && state != 'Z' && state != 'X')
    }

    /// Whether the process is stopped (state `T`), e.g. by SIGSTOP.
    pub fn is_stopped(&self) -> bool {
        matches!(stat(self.pid), Some((state, t)) if t == self.start_time && state == 'T')
    }
}

/// The state letter and start time of `pid`, read from `/proc/<pid>/stat`.
fn stat(pid: i32) -> Option<(char, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let start_time = fields.get(19)?.parse().ok()?;
    Some((state, start_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_wrong_start_time_is_not() {
        let me = ProcessIdentity::of(std::process::id() as i32).unwrap();
        assert!(me.is_alive());
        let other = ProcessIdentity {
            start_time: me.start_time + 1,
            ..me
        };
        assert!(!other.is_alive());
    }
}
