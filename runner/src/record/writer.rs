//! The writer thread: ops from the channel, serialised and appended as whole lines.

use super::RecordError;
use histories::{Header, History, Op, Process};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

/// How often the writer drains the channel and writes what came: the longest a recorded op stays
/// in memory before it is in the file (plus the time to write one batch).
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
    // The writer never blocks on the channel: it sleeps out each interval, then drains what came.
    // Blocking per op would wake this thread (a futex syscall and a context switch) for every
    // event, which on a small machine costs the clients more than serialising does.
    loop {
        let began = Instant::now();
        let mut closed = false;
        loop {
            match rx.try_recv() {
                Ok(op) => {
                    line(&mut buf, &op);
                    if keep {
                        ops.push(op);
                    }
                    if buf.len() >= BUFFER_LIMIT {
                        flush(&mut file, &mut buf).map_err(io)?;
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        flush(&mut file, &mut buf).map_err(io)?;
        if closed {
            file.sync_data().map_err(io)?;
            break;
        }
        std::thread::sleep(FLUSH_EVERY.saturating_sub(began.elapsed()));
    }
    Ok(History {
        header,
        ops,
        provenance: Default::default(),
    })
}

/// Appends `op` as one JSON line: the fields `Op`'s serde derive writes, in the same order,
/// written directly (serde's flatten of `extra` goes through a slower generic path, and this
/// runs twice per call on the recording's hot path).
fn line(buf: &mut Vec<u8>, op: &Op) {
    buf.extend_from_slice(b"{\"index\":");
    buf.extend_from_slice(itoa::Buffer::new().format(op.index).as_bytes());
    buf.extend_from_slice(b",\"time\":");
    buf.extend_from_slice(itoa::Buffer::new().format(op.time).as_bytes());
    buf.extend_from_slice(b",\"process\":");
    match op.process {
        Process::Client(p) => buf.extend_from_slice(itoa::Buffer::new().format(p).as_bytes()),
        Process::Nemesis => buf.extend_from_slice(b"\"nemesis\""),
    }
    buf.extend_from_slice(b",\"type\":\"");
    buf.extend_from_slice(op.kind.to_string().as_bytes());
    buf.extend_from_slice(b"\",\"f\":");
    json(buf, &op.f);
    if let Some(k) = &op.key {
        buf.extend_from_slice(b",\"key\":");
        json(buf, k);
    }
    buf.extend_from_slice(b",\"value\":");
    json(buf, &op.value);
    if let Some(e) = &op.error {
        buf.extend_from_slice(b",\"error\":");
        json(buf, e);
    }
    if let Some(n) = &op.node {
        buf.extend_from_slice(b",\"node\":");
        json(buf, n);
    }
    for (k, v) in &op.extra {
        buf.push(b',');
        json(buf, k);
        buf.push(b':');
        json(buf, v);
    }
    buf.extend_from_slice(b"}\n");
}

/// Appends `v` as JSON.
fn json<T: serde::Serialize + ?Sized>(buf: &mut Vec<u8>, v: &T) {
    serde_json::to_writer(&mut *buf, v).expect("JSON values and strings serialise");
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

#[cfg(test)]
mod tests {
    use super::*;
    use histories::OpType;
    use serde_json::{json, Map, Value};

    #[test]
    fn a_line_is_what_serde_writes_for_the_op() {
        let mut extra = Map::new();
        extra.insert("outcome".into(), json!("installed"));
        let mut ops = vec![
            Op::new(3, 17, Process::Client(4), OpType::Ok, "cas", json!([1, 2]))
                .with_key(json!("k\"1")),
            Op::new(
                4,
                18,
                Process::Nemesis,
                OpType::Info,
                "pause",
                json!({"fault": "pause"}),
            ),
        ];
        ops[0].error = Some(json!("timeout"));
        ops[0].node = Some("n1".into());
        ops[1].extra = extra;
        for op in &ops {
            let mut buf = Vec::new();
            line(&mut buf, op);
            assert_eq!(buf.last(), Some(&b'\n'));
            let ours: Value = serde_json::from_slice(&buf).unwrap();
            assert_eq!(ours, serde_json::to_value(op).unwrap());
            assert_eq!(serde_json::from_slice::<Op>(&buf).unwrap(), *op);
        }
    }
}
