//! Budgets: a deadline, a memory cap and a stop signal shared by every key's search.
//!
//! What the memory cap is compared with: with a [`HeapGauge`] (the caller's count of the bytes
//! its process has allocated, e.g. from a counting global allocator), the whole heap, plus what
//! the searches' memos may allocate at once before they next look at the budget (a table or an
//! arena doubling); without one, the memos' own bytes plus that reserve. Either way a search stops
//! before the allocation that would cross the cap, not after it.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why a search gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exhausted {
    /// The time limit passed.
    Time(Duration),
    /// The memory cap (bytes) would have been crossed.
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
                "memory limit of {} MiB reached: the search stopped before allocating more",
                b >> 20
            ),
            Exhausted::Stopped => "not checked: another key was already invalid".to_string(),
        }
    }
}

/// The bytes the calling process has allocated on its heap, as its caller counts them. The
/// checker does no I/O: the count comes from the caller (a counting global allocator).
#[derive(Clone)]
pub struct HeapGauge(pub Arc<dyn Fn() -> u64 + Send + Sync>);

impl HeapGauge {
    /// The bytes allocated now.
    pub fn bytes(&self) -> u64 {
        (self.0)()
    }
}

impl fmt::Debug for HeapGauge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HeapGauge({} bytes)", self.bytes())
    }
}

/// Limits shared by the searches of one check.
#[derive(Debug)]
pub struct Budget {
    start: Instant,
    time_limit: Option<Duration>,
    memory_limit: Option<u64>,
    heap: Option<HeapGauge>,
    /// What the memos hold.
    held: AtomicU64,
    /// What the memos may allocate at once before they next look.
    reserved: AtomicU64,
    stop: AtomicBool,
}

fn add(counter: &AtomicU64, delta: i64) {
    if delta >= 0 {
        counter.fetch_add(delta as u64, Ordering::Relaxed);
    } else {
        counter.fetch_sub(delta.unsigned_abs(), Ordering::Relaxed);
    }
}

impl Budget {
    /// A budget starting now; `heap`, when given, is what the memory limit is compared with.
    pub fn new(
        time_limit: Option<Duration>,
        memory_limit: Option<u64>,
        heap: Option<HeapGauge>,
    ) -> Budget {
        Budget {
            start: Instant::now(),
            time_limit,
            memory_limit,
            heap,
            held: AtomicU64::new(0),
            reserved: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        }
    }

    /// Asks every search to stop.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Records that a search holds `held` more bytes and may allocate `reserved` more at once
    /// (negative: fewer).
    pub fn charge(&self, held: i64, reserved: i64) {
        add(&self.held, held);
        add(&self.reserved, reserved);
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
            let reserved = self.reserved.load(Ordering::Relaxed);
            let used = match &self.heap {
                Some(gauge) => gauge.bytes(),
                None => self.held.load(Ordering::Relaxed),
            };
            if used + reserved > limit {
                return Err(Exhausted::Memory(limit));
            }
        }
        Ok(())
    }
}
