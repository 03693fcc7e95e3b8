//! One op as one JSON line, written from its pieces without building an [`Op`](histories::Op):
//! the fields in the order `Op`'s serde derive writes them, so that the line reads back as the op
//! it records. A line is written in two parts: the [`Event`] (everything after the time), which a
//! client formats before it takes the recorder's lock, and the head (index and time), written
//! under the lock when the op is stamped.

use histories::{OpType, Process};
use serde_json::{Map, Value};

/// An op without its index and time, borrowing its pieces from the caller.
pub(super) struct Event<'a> {
    /// Who performed it.
    pub process: Process,
    /// Invoke, ok, fail or info.
    pub kind: OpType,
    /// The operation's name.
    pub f: &'a str,
    /// The key, if any.
    pub key: Option<&'a Value>,
    /// The argument or the result.
    pub value: &'a Value,
    /// A completion's error, if any.
    pub error: Option<&'a Value>,
    /// The replica, if known.
    pub node: Option<&'a str>,
    /// Whether it is a final read (written as the extra key `"final": true`).
    pub final_read: bool,
    /// Other keys (a nemesis step's outcome, reason and times).
    pub extra: Option<&'a Map<String, Value>>,
}

impl Event<'_> {
    /// Appends the line's part after the time: `,"process":...}` and the newline.
    pub(super) fn write_tail(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(b",\"process\":");
        match self.process {
            Process::Client(p) => buf.extend_from_slice(itoa::Buffer::new().format(p).as_bytes()),
            Process::Nemesis => buf.extend_from_slice(b"\"nemesis\""),
        }
        buf.extend_from_slice(match self.kind {
            OpType::Invoke => b",\"type\":\"invoke\"",
            OpType::Ok => b",\"type\":\"ok\"",
            OpType::Fail => b",\"type\":\"fail\"",
            OpType::Info => b",\"type\":\"info\"",
        });
        buf.extend_from_slice(b",\"f\":");
        string(buf, self.f);
        if let Some(k) = self.key {
            buf.extend_from_slice(b",\"key\":");
            value(buf, k);
        }
        buf.extend_from_slice(b",\"value\":");
        value(buf, self.value);
        if let Some(e) = self.error {
            buf.extend_from_slice(b",\"error\":");
            value(buf, e);
        }
        if let Some(n) = self.node {
            buf.extend_from_slice(b",\"node\":");
            string(buf, n);
        }
        if self.final_read {
            buf.extend_from_slice(b",\"final\":true");
        }
        for (k, v) in self.extra.into_iter().flatten() {
            buf.push(b',');
            json(buf, k);
            buf.push(b':');
            json(buf, v);
        }
        buf.extend_from_slice(b"}\n");
    }
}

/// Appends the start of a line: `{"index":I,"time":T`.
pub(super) fn write_head(buf: &mut Vec<u8>, index: u64, time: u64) {
    buf.extend_from_slice(b"{\"index\":");
    buf.extend_from_slice(itoa::Buffer::new().format(index).as_bytes());
    buf.extend_from_slice(b",\"time\":");
    buf.extend_from_slice(itoa::Buffer::new().format(time).as_bytes());
}

/// Appends `v` as JSON: the scalars a client op usually carries (short plain strings, integers,
/// booleans, null) directly, anything else through serde.
fn value(buf: &mut Vec<u8>, v: &Value) {
    match v {
        Value::String(s) => string(buf, s),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => buf.extend_from_slice(itoa::Buffer::new().format(u).as_bytes()),
            (None, Some(i)) => buf.extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
            _ => json(buf, n),
        },
        Value::Bool(true) => buf.extend_from_slice(b"true"),
        Value::Bool(false) => buf.extend_from_slice(b"false"),
        Value::Null => buf.extend_from_slice(b"null"),
        other => json(buf, other),
    }
}

/// Appends `s` as a JSON string: as it is between quotes when nothing in it needs escaping,
/// else through serde.
fn string(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        json(buf, s);
    }
}

/// Appends `v` as JSON, through serde.
fn json<T: serde::Serialize + ?Sized>(buf: &mut Vec<u8>, v: &T) {
    serde_json::to_writer(&mut *buf, v).expect("JSON values and strings serialise");
}

#[cfg(test)]
mod tests {
    use super::*;
    use histories::Op;
    use serde_json::json;

    /// The line the recorder writes for `op`.
    fn line(op: &Op) -> Vec<u8> {
        let mut buf = Vec::new();
        write_head(&mut buf, op.index, op.time);
        Event {
            process: op.process,
            kind: op.kind,
            f: &op.f,
            key: op.key.as_ref(),
            value: &op.value,
            error: op.error.as_ref(),
            node: op.node.as_deref(),
            final_read: false,
            extra: Some(&op.extra),
        }
        .write_tail(&mut buf);
        buf
    }

    #[test]
    fn a_line_is_what_serde_writes_for_the_op() {
        let mut extra = Map::new();
        extra.insert("outcome".into(), json!("installed"));
        extra.insert("reason".into(), json!("a \"quoted\"\nreason"));
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
            Op::new(
                u64::MAX,
                u64::MAX,
                Process::Client(0),
                OpType::Invoke,
                "book",
                json!("g1"),
            )
            .with_key(json!(0)),
            Op::new(
                5,
                19,
                Process::Client(7),
                OpType::Fail,
                "r\u{e9}ad",
                json!(1.5),
            ),
            Op::new(
                6,
                20,
                Process::Client(8),
                OpType::Ok,
                "txn",
                json!([["r", "x", null]]),
            )
            .with_key(json!(-3)),
            Op::new(
                7,
                21,
                Process::Client(9),
                OpType::Ok,
                "a\tb\u{1}",
                json!("q\\\""),
            ),
            Op::new(8, 22, Process::Client(9), OpType::Info, "cas", json!(false))
                .with_key(json!(u64::MAX)),
        ];
        ops[0].error = Some(json!("timeout"));
        ops[0].node = Some("n1".into());
        ops[1].extra = extra;
        for op in &ops {
            let buf = line(op);
            assert_eq!(buf.last(), Some(&b'\n'));
            assert_eq!(buf.iter().filter(|&&b| b == b'\n').count(), 1);
            let mut serde = serde_json::to_vec(op).unwrap();
            serde.push(b'\n');
            assert_eq!(
                String::from_utf8_lossy(&buf),
                String::from_utf8_lossy(&serde)
            );
            assert_eq!(serde_json::from_slice::<Op>(&buf).unwrap(), *op);
        }
    }
}
