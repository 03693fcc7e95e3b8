//! The writer thread: takes the lines the clients recorded and appends them to the file.

use crate::RunError;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How often the writer takes the recorded lines and writes them: the longest a recorded op stays
/// in memory before it is in the file (plus the time to write one batch).
pub const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// Bytes each of the two line buffers starts with: about 50 ms of lines at 50,000 calls/s, so
/// that neither grows while a run goes on.
const BATCH_BYTES: usize = 1 << 19;

/// The ops recorded and not yet written, shared by the clients and the writer.
pub(super) struct Queue {
    /// The index the next op gets.
    pub next_index: u64,
    /// Whole lines, in index order.
    pub lines: Vec<u8>,
    /// False once recording stopped (finished, or the file could not be written): ops recorded
    /// then are dropped.
    pub open: bool,
}

impl Queue {
    /// An empty, open queue.
    pub fn new() -> Queue {
        Queue {
            next_index: 0,
            lines: Vec::with_capacity(BATCH_BYTES),
            open: true,
        }
    }
}

/// Locks the queue (a client that panicked holding it left whole lines: the lock is still good).
pub(super) fn lock(queue: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    queue.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes the queue's lines to `file` every [`FLUSH_EVERY`] (sooner when unparked) until the queue
/// is closed, then writes the rest and syncs. If the file cannot be written, closes the queue, so
/// that the clients stop recording, and returns the error.
pub(super) fn write_lines(
    path: &Path,
    mut file: File,
    queue: &Mutex<Queue>,
) -> Result<(), RunError> {
    let result = write_until_closed(&mut file, queue);
    if result.is_err() {
        let mut q = lock(queue);
        q.open = false;
        q.lines = Vec::new();
    }
    result.map_err(|source| RunError::Io {
        action: "write the history",
        path: path.to_path_buf(),
        source,
    })
}

// The writer never waits on the clients and the clients never wake it: it sleeps out each
// interval, then swaps the queue's buffer for its own empty one and writes what came. Waking it
// per op would cost a futex call and a context switch per event, which on a small machine costs
// the clients more than formatting does.
fn write_until_closed(file: &mut File, queue: &Mutex<Queue>) -> std::io::Result<()> {
    let mut batch = Vec::with_capacity(BATCH_BYTES);
    loop {
        let began = Instant::now();
        let closed = {
            let mut q = lock(queue);
            std::mem::swap(&mut q.lines, &mut batch);
            !q.open
        };
        // One call per batch of whole lines: a runner killed between two calls leaves only whole
        // lines. (A SIGKILL that lands inside the call, a window of microseconds, can cut the
        // batch short, since Linux stops copying a write at a pending fatal signal.)
        file.write_all(&batch)?;
        batch.clear();
        if closed {
            return file.sync_data();
        }
        std::thread::park_timeout(FLUSH_EVERY.saturating_sub(began.elapsed()));
    }
}

/// Used by tests: the ops of a history file written by the recorder, without the header.
#[cfg(test)]
pub(super) fn read_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
