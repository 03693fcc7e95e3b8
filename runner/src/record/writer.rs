//! The writer thread: ops from the channel, serialised and appended as whole lines.

use super::RecordError;
use histories::{Header, History, Op};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The longest time a recorded op stays in memory before it is written to the file.
pub const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// Buffered bytes past which the writer writes without waiting for the timer.
const BUFFER_LIMIT: usize = 1 << 20;

/// Writes the header, then every op received until the channel closes; returns the whole history.
pub(super) fn write_history(
    path: PathBuf,
    mut file: File,
    header: Header,
    rx: Receiver<Op>,
    keep: bool,
) -> Result<History, RecordError> {
    let io = |source| RecordError::Io {
        path: path.clone(),
        source,
    };
    let mut buf = Vec::with_capacity(BUFFER_LIMIT + 4096);
    serde_json::to_writer(&mut buf, &header).expect("a header serialises");
    buf.push(b'\n');
    file.write_all(&buf).map_err(io)?;
    buf.clear();
    let mut ops = Vec::new();
    let mut last_flush = Instant::now();
    loop {
        let wait = FLUSH_EVERY.saturating_sub(last_flush.elapsed());
        let closed = match rx.recv_timeout(wait) {
            Ok(op) => {
                line(&mut buf, &op);
                if keep {
                    ops.push(op);
                }
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        if closed || buf.len() >= BUFFER_LIMIT || last_flush.elapsed() >= FLUSH_EVERY {
            flush(&mut file, &mut buf).map_err(io)?;
            last_flush = Instant::now();
        }
        if closed {
            file.sync_data().map_err(io)?;
            break;
        }
    }
    Ok(History {
        header,
        ops,
        provenance: Default::default(),
    })
}

fn line(buf: &mut Vec<u8>, op: &Op) {
    serde_json::to_writer(&mut *buf, op).expect("an op serialises");
    buf.push(b'\n');
}

/// Writes the buffered whole lines in one call, so a kill leaves no half line behind.
fn flush(file: &mut File, buf: &mut Vec<u8>) -> std::io::Result<()> {
    if !buf.is_empty() {
        file.write_all(buf)?;
        buf.clear();
    }
    Ok(())
}

/// Used by tests: the ops of a history file written by the recorder, without the header.
#[cfg(test)]
pub(super) fn read_lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
