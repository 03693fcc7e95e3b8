//! A recording process killed with SIGKILL mid-run: what it leaves must read as a history.
//!
//! The test runs itself again as a child process (this test binary, this one test, with
//! [`CHILD`] set): the child records calls until it is killed, leaving every other call open.

use super::{Invocation, Recorder};
use crate::system::Completion;
use crate::workload::{BookingOp, Operation};
use histories::formats::{read_path, Format};
use histories::{Header, Outcome};
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the child: the history file it records to.
const CHILD: &str = "RIFT_RECORD_SIGKILL_CHILD";

/// The child's part: records calls, about 100,000 ops/s (a busy run), until killed, or for at
/// most 30 s should the parent be gone.
fn record_until_killed(path: std::path::PathBuf) {
    let r = Recorder::create(path, Header::default(), Instant::now(), false).unwrap();
    let book = BookingOp::Book {
        room: 3,
        guest: "g1".into(),
    };
    let inv = Invocation::new(Operation::Booking(book), faults::NodeId(0));
    let began = Instant::now();
    let mut process = 0;
    while began.elapsed() < Duration::from_secs(30) {
        for _ in 0..50 {
            r.invoke(process, &inv, "n1");
            if process % 2 == 0 {
                r.complete(process, &inv, "n1", &Completion::Ok(json!(true)));
            }
            process += 1;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// Lines the file holds so far.
fn lines(path: &std::path::Path) -> usize {
    std::fs::read(path).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
}

#[test]
fn a_recorder_killed_with_sigkill_leaves_a_history_whose_open_calls_read_as_info() {
    if let Some(path) = std::env::var_os(CHILD) {
        return record_until_killed(path.into());
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.jsonl");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "record::sigkill::a_recorder_killed_with_sigkill_leaves_a_history_whose_open_calls_read_as_info",
            "--test-threads=1",
        ])
        .env(CHILD, &path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it mid-run: once it has written a few batches.
    let deadline = Instant::now() + Duration::from_secs(20);
    while lines(&path) < 5_000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let written = lines(&path);
    assert!(written >= 5_000, "the child wrote {written} lines in 20 s");

    // Every whole line reads back. A kill that lands inside a write() can cut the batch at a
    // page boundary, which leaves a last line without its newline: readers drop it.
    let mut bytes = std::fs::read(&path).unwrap();
    let whole = bytes.iter().rposition(|&b| b == b'\n').unwrap() + 1;
    assert!(
        bytes.len() - whole < 256,
        "at most a part of one line is cut"
    );
    bytes.truncate(whole);
    std::fs::write(&path, &bytes).unwrap();
    let history = read_path(&path, Some(Format::Jsonl)).unwrap();
    assert_eq!(
        history.ops.len(),
        written - 1,
        "every line but the header is an op"
    );
    let calls = history.calls().unwrap();
    for c in &calls {
        let open = c.complete_index.is_none();
        assert_eq!(open, c.outcome == Outcome::Info, "{c:?}");
    }
    assert!(calls.iter().any(|c| c.complete_index.is_none()));
    assert!(calls.iter().any(|c| c.outcome == Outcome::Ok));
}
