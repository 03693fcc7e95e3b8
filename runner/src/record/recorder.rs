//! The recorder handle the clients and the nemesis share.

use super::line::{write_head, Event};
use super::writer::{lock, write_lines, Queue};
use super::Invocation;
use crate::system::Completion;
use crate::RunError;
use histories::formats::{read_path, Format};
use histories::{Header, History, OpType, Process};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// The writer thread.
type Writer = JoinHandle<Result<(), RunError>>;

thread_local! {
    /// This thread's scratch line: an op is formatted here before the lock is taken, so that the
    /// lock is held only to stamp it and copy the line (a client preempted while holding it would
    /// stall every other client that records meanwhile).
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(256));
}

/// Records ops with their index and time for the writer thread. Cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    start: Instant,
    queue: Arc<Mutex<Queue>>,
    writer: Arc<Mutex<Option<Writer>>>,
    header: Header,
    path: PathBuf,
    keep: bool,
}

impl Recorder {
    /// Creates `path`, writes the header, and starts the writer thread. Times are measured from
    /// `start`. With `keep`, [`Recorder::finish`] reads the file back and returns every op;
    /// without, only the header.
    pub fn create(
        path: PathBuf,
        header: Header,
        start: Instant,
        keep: bool,
    ) -> Result<Recorder, RunError> {
        let io = |source| RunError::Io {
            action: "write the history",
            path: path.clone(),
            source,
        };
        let mut file = std::fs::File::create(&path).map_err(io)?;
        let mut first = serde_json::to_vec(&header).expect("a header serialises");
        first.push(b'\n');
        file.write_all(&first).map_err(io)?;
        let queue = Arc::new(Mutex::new(Queue::new()));
        let (q, p) = (queue.clone(), path.clone());
        let writer = std::thread::Builder::new()
            .name("rift-history-writer".into())
            .spawn(move || write_lines(&p, file, &q))
            .map_err(io)?;
        Ok(Recorder {
            start,
            queue,
            writer: Arc::new(Mutex::new(Some(writer))),
            header,
            path,
            keep,
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

    /// Formats `event`, then stamps it with the next index and the current time and appends its
    /// line to the queue, under one short lock, so that index order is time order; returns the
    /// time. Ops recorded after [`Recorder::finish`] are dropped.
    fn record(&self, event: Event) -> u64 {
        SCRATCH.with(|scratch| {
            let mut tail = scratch.borrow_mut();
            tail.clear();
            event.write_tail(&mut tail);
            let mut q = lock(&self.queue);
            let time = self.now();
            if q.open {
                let index = q.next_index;
                write_head(&mut q.lines, index, time);
                q.lines.extend_from_slice(&tail);
                q.next_index += 1;
            }
            time
        })
    }

    /// Records the invocation of `inv` by `process`, sent to the node named `node`; call it
    /// before sending the request. Returns the invocation's time.
    pub fn invoke(&self, process: u64, inv: &Invocation, node: &str) -> u64 {
        self.record(Event {
            process: Process::Client(process),
            kind: OpType::Invoke,
            f: inv.f(),
            key: inv.key(),
            value: inv.value(),
            error: None,
            node: Some(node),
            final_read: inv.final_read,
            extra: None,
        })
    }

    /// Records the completion of `inv` by `process`: ok with its result, fail or info with its
    /// error (an info's value is the invocation's). Returns the completion's time.
    pub fn complete(&self, process: u64, inv: &Invocation, node: &str, how: &Completion) -> u64 {
        let (kind, value, error) = match how {
            Completion::Ok(v) => (OpType::Ok, v, None),
            Completion::Fail(e) => (OpType::Fail, inv.value(), Some(e)),
            Completion::Info(e) => (OpType::Info, inv.value(), Some(e)),
        };
        self.record(Event {
            process: Process::Client(process),
            kind,
            f: inv.f(),
            key: inv.key(),
            value,
            error,
            node: Some(node),
            final_read: inv.final_read,
            extra: None,
        })
    }

    /// Records one nemesis step with its outcome: `f` the step's name, `value` the step, and the
    /// extra keys (outcome, reason, start and end times) as given.
    pub fn nemesis(&self, f: &str, value: Value, extra: Map<String, Value>) -> u64 {
        self.record(Event {
            process: Process::Nemesis,
            kind: OpType::Info,
            f,
            key: None,
            value: &value,
            error: None,
            node: None,
            final_read: false,
            extra: Some(&extra),
        })
    }

    /// The history file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Stops recording, waits for the writer to write and sync every op, and returns the history
    /// (read back from the file with `keep`, else the header alone). Later calls return an error.
    pub fn finish(&self) -> Result<History, RunError> {
        lock(&self.queue).open = false;
        let handle = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(handle) = handle else {
            return Err(RunError::WriterGone(self.path.clone()));
        };
        // Wake the writer now rather than at the end of its interval.
        handle.thread().unpark();
        match handle.join() {
            Ok(written) => written?,
            Err(_) => return Err(RunError::WriterGone(self.path.clone())),
        }
        if self.keep {
            return read_path(&self.path, Some(Format::Jsonl))
                .map_err(|e| RunError::ReadBack(Box::new(e)));
        }
        Ok(History {
            header: self.header.clone(),
            ops: Vec::new(),
            provenance: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::writer::read_lines;
    use super::*;
    use crate::workload::{Operation, RegisterOp};
    use serde_json::json;
    use std::time::Duration;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rift-record-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("history.jsonl")
    }

    fn inv() -> Invocation {
        let op = Operation::Register(RegisterOp::Write { key: 1, value: 5 });
        Invocation::new(op, faults::NodeId(0))
    }

    #[test]
    fn calls_are_recorded_with_increasing_index_and_time_and_their_node() {
        let path = tmp("order");
        let r = Recorder::create(path.clone(), Header::default(), Instant::now(), true).unwrap();
        r.invoke(1, &inv(), "n1");
        r.complete(1, &inv(), "n1", &Completion::Ok(json!(5)));
        r.invoke(2, &inv(), "n2");
        r.complete(2, &inv(), "n2", &Completion::Info(json!("timeout")));
        let h = r.finish().unwrap();
        assert_eq!(h.ops.len(), 4);
        for w in h.ops.windows(2) {
            assert!(w[0].index < w[1].index && w[0].time <= w[1].time);
        }
        assert_eq!(h.ops[3].kind, OpType::Info);
        assert_eq!(h.ops[3].error, Some(json!("timeout")));
        assert_eq!(h.ops[2].node.as_deref(), Some("n2"));
        assert_eq!((h.ops[0].f.as_str(), &h.ops[0].value), ("write", &json!(5)));
        assert_eq!(read_lines(&path).len(), 4);
        let calls = h.calls().unwrap();
        assert_eq!(calls.len(), 2);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn ops_reach_the_file_while_the_run_goes_on() {
        let path = tmp("flush");
        let r = Recorder::create(path.clone(), Header::default(), Instant::now(), false).unwrap();
        r.invoke(1, &inv(), "n1");
        // The writer flushes every FLUSH_EVERY; a loaded machine may run it late, not never.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut lines = read_lines(&path);
        while lines.is_empty() && Instant::now() < deadline {
            std::thread::sleep(super::super::FLUSH_EVERY);
            lines = read_lines(&path);
        }
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
