//! Budgets: a deadline, a memory cap and a stop signal shared by every key's search.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Why a search gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exhausted {
    /// The time limit passed.
    Time(Duration),
    /// The memo outgrew the memory cap.
    Memory(u64),
    /// Another key was found invalid and the check stops at the first.
    Stopped,
}

impl Exhausted {
    /// The reason in words, for an Unknown verdict.
    pub fn reason(&self) -> String {
        match self {
            Exhausted::Time(d) => format!("time limit of {:.3} s exceeded", d.as_secs_f64()),
            Exhausted::Memory(b) => format!(
                "memory limit of {} MiB exceeded by the search's memo",
                b >> 20
            ),
            Exhausted::Stopped => "not checked: another key was already invalid".to_string(),
        }
    }
}

/// Limits shared by the searches of one check.
#[derive(Debug)]
pub struct Budget {
    start: Instant,
    time_limit: Option<Duration>,
    memory_limit: Option<u64>,
    memory_used: AtomicU64,
    stop: AtomicBool,
}

impl Budget {
    /// A budget starting now.
    pub fn new(time_limit: Option<Duration>, memory_limit: Option<u64>) -> Budget {
        Budget {
            start: Instant::now(),
            time_limit,
            memory_limit,
            memory_used: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        }
    }

    /// Asks every search to stop.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Records that a search holds `delta` more bytes (or fewer, negative).
    pub fn charge(&self, delta: i64) {
        if delta >= 0 {
            self.memory_used.fetch_add(delta as u64, Ordering::Relaxed);
        } else {
            self.memory_used
                .fetch_sub(delta.unsigned_abs(), Ordering::Relaxed);
        }
    }

    /// Whether the search may go on.
    pub fn check(&self) -> Result<(), Exhausted> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(Exhausted::Stopped);
        }
        if let Some(limit) = self.time_limit {
            if self.start.elapsed() > limit {
                return Err(Exhausted::Time(limit));
            }
        }
        if let Some(limit) = self.memory_limit {
            if self.memory_used.load(Ordering::Relaxed) > limit {
                return Err(Exhausted::Memory(limit));
            }
        }
        Ok(())
    }
}
