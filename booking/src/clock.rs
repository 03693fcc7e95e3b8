//! The node's wall clock. `SystemTime::now` calls libc's `clock_gettime`, so a clock offset set
//! with libfaketime (LD_PRELOAD) reaches the node, which is how rift skews gossip's clocks.

use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch by this process's wall clock (0 if the clock is set before
/// 1970).
pub fn wall_clock_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}
