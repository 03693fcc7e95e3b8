//! The recorder handle the clients and the nemesis share.

use super::writer::write_history;
use super::RecordError;
use crate::generator::Invocation;
use histories::{Header, History, Op, OpType, Process};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// How a call returned.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// It took effect; the result.
    Ok(Value),
    /// It definitely did not take effect; the error.
    Fail(Value),
    /// Unknown: a timeout or an indefinite error.
    Info(Value),
}

struct Shared {
    next_index: u64,
    tx: Option<Sender<Op>>,
}

/// The writer thread, which returns the history it wrote.
type Writer = JoinHandle<Result<History, RecordError>>;

/// Records ops with their index and time and hands them to the writer thread. Cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    start: Instant,
    shared: Arc<Mutex<Shared>>,
    writer: Arc<Mutex<Option<Writer>>>,
    path: PathBuf,
}

impl Recorder {
    /// Creates `path`, writes the header, and starts the writer thread. Times are measured from
    /// `start`. With `keep`, [`Recorder::finish`] returns every op; without, only the header.
    pub fn create(
        path: PathBuf,
        header: Header,
        start: Instant,
        keep: bool,
    ) -> Result<Recorder, RecordError> {
        let (tx, rx) = channel();
        // Create the file before returning, so that a bad path fails here, not in the thread.
        let file = std::fs::File::create(&path).map_err(|source| RecordError::Io {
            path: path.clone(),
            source,
        })?;
        let p = path.clone();
        let writer = std::thread::Builder::new()
            .name("rift-history-writer".into())
            .spawn(move || write_history(p, file, header, rx, keep))
            .map_err(|source| RecordError::Io {
                path: path.clone(),
                source,
            })?;
        Ok(Recorder {
            start,
            shared: Arc::new(Mutex::new(Shared {
                next_index: 0,
                tx: Some(tx),
            })),
            writer: Arc::new(Mutex::new(Some(writer))),
            path,
        })
    }

    /// Nanoseconds since the start of the run.
    pub fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// The instant times are measured from.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// Stamps `op` with the next index and the current time and sends it to the writer; returns
    /// the time. Ops recorded after [`Recorder::finish`] are dropped.
    fn record(&self, mut op: Op) -> u64 {
        let mut s = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        op.index = s.next_index;
        op.time = self.now();
        let time = op.time;
        if let Some(tx) = &s.tx {
            if tx.send(op).is_ok() {
                s.next_index += 1;
            }
        }
        time
    }

    /// Records the invocation of `inv` by `process`, sent to the node named `node`; call it
    /// before sending the request. Returns the invocation's time.
    pub fn invoke(&self, process: u64, inv: &Invocation, node: &str) -> u64 {
        let mut op = Op::new(
            0,
            0,
            Process::Client(process),
            OpType::Invoke,
            &inv.f,
            inv.value.clone(),
        );
        op.key = inv.key.clone();
        op.node = Some(node.to_string());
        self.record(op)
    }

    /// Records the completion of `inv` by `process`: ok with its result, fail or info with its
    /// error (an info's value is the invocation's). Returns the completion's time.
    pub fn complete(&self, process: u64, inv: &Invocation, node: &str, how: Completion) -> u64 {
        let (kind, value, error) = match how {
            Completion::Ok(v) => (OpType::Ok, v, None),
            Completion::Fail(e) => (OpType::Fail, inv.value.clone(), Some(e)),
            Completion::Info(e) => (OpType::Info, inv.value.clone(), Some(e)),
        };
        let mut op = Op::new(0, 0, Process::Client(process), kind, &inv.f, value);
        op.key = inv.key.clone();
        op.error = error;
        op.node = Some(node.to_string());
        self.record(op)
    }

    /// Records one nemesis step with its outcome: `f` the step's name, `value` the step, and the
    /// extra keys (outcome, reason, start and end times) as given.
    pub fn nemesis(&self, f: &str, value: Value, extra: Map<String, Value>) -> u64 {
        let mut op = Op::new(0, 0, Process::Nemesis, OpType::Info, f, value);
        op.extra = extra;
        self.record(op)
    }

    /// The history file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Stops recording, waits for the writer to write and sync every op, and returns the history.
    /// Later calls return an error.
    pub fn finish(&self) -> Result<History, RecordError> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner()).tx = None;
        let handle = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        match handle.map(|h| h.join()) {
            Some(Ok(result)) => result,
            _ => Err(RecordError::WriterGone(self.path.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::writer::read_lines;
    use super::*;
    use serde_json::json;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rift-record-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("history.jsonl")
    }

    fn inv() -> Invocation {
        Invocation {
            f: "write".into(),
            key: Some(json!(1)),
            value: json!(5),
            node: 0,
        }
    }

    #[test]
    fn calls_are_recorded_with_increasing_index_and_time_and_their_node() {
        let path = tmp("order");
        let r = Recorder::create(path.clone(), Header::default(), Instant::now(), true).unwrap();
        r.invoke(1, &inv(), "n1");
        r.complete(1, &inv(), "n1", Completion::Ok(json!(5)));
        r.invoke(2, &inv(), "n2");
        r.complete(2, &inv(), "n2", Completion::Info(json!("timeout")));
        let h = r.finish().unwrap();
        assert_eq!(h.ops.len(), 4);
        for w in h.ops.windows(2) {
            assert!(w[0].index < w[1].index && w[0].time <= w[1].time);
        }
        assert_eq!(h.ops[3].kind, OpType::Info);
        assert_eq!(h.ops[3].error, Some(json!("timeout")));
        assert_eq!(h.ops[2].node.as_deref(), Some("n2"));
        assert_eq!(read_lines(&path).len(), 4);
        let calls = h.calls().unwrap();
        assert_eq!(calls.len(), 2);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn ops_reach_the_file_within_the_flush_interval_while_the_run_goes_on() {
        let path = tmp("flush");
        let r = Recorder::create(path.clone(), Header::default(), Instant::now(), false).unwrap();
        r.invoke(1, &inv(), "n1");
        std::thread::sleep(super::super::FLUSH_EVERY * 3);
        let lines = read_lines(&path);
        assert_eq!(lines.len(), 1, "the invoke is on disk before the run ends");
        assert_eq!(lines[0]["type"], "invoke");
        r.finish().unwrap();
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_nemesis_step_is_one_info_op_with_its_outcome() {
        let path = tmp("nemesis");
        let r = Recorder::create(path.clone(), Header::default(), Instant::now(), true).unwrap();
        let mut extra = Map::new();
        extra.insert("outcome".into(), json!("installed"));
        r.nemesis("pause", json!({"fault": "pause", "nodes": [0]}), extra);
        let h = r.finish().unwrap();
        assert_eq!(h.ops.len(), 1);
        assert_eq!(h.ops[0].process, Process::Nemesis);
        assert_eq!(h.ops[0].extra["outcome"], "installed");
        assert!(h.calls().unwrap().is_empty());
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
