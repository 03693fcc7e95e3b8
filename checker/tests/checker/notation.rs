//! A tiny history notation for tests: whitespace-separated events `P:BODY`, in order.
//!
//! Invocations: `w3` write 3, `r` read, `c1-2` cas from 1 to 2, `a` acquire, `l` release
//! (unlock), optionally followed by `@K` for key K. Completions: `ok` (ok, with the invocation's
//! value), `ok3` (ok with value 3), `fail`, `info`. Example: `"0:w1 1:r 0:ok 1:ok1"`.

use histories::{History, Op, OpType, Process};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Parses the notation into a history (time = index, in ms).
pub fn history(text: &str) -> History {
    let mut open: HashMap<u64, (String, Value, Option<Value>)> = HashMap::new();
    let mut ops = Vec::new();
    for (i, token) in text.split_whitespace().enumerate() {
        let (p, body) = token.split_once(':').expect("P:BODY");
        let p: u64 = p.parse().expect("a process number");
        let (body, key) = match body.split_once('@') {
            Some((b, k)) => (b, Some(json!(k))),
            None => (body, None),
        };
        let i = i as u64;
        let at = |kind, f: &str, v: Value, key: &Option<Value>| {
            let op = Op::new(i, i * 1_000_000, Process::Client(p), kind, f, v);
            match key {
                Some(k) => op.with_key(k.clone()),
                None => op,
            }
        };
        let int = |s: &str| -> Value { json!(s.parse::<i64>().expect("an integer")) };
        let op = if let Some(rest) = body.strip_prefix("ok") {
            let (f, v, key) = open.remove(&p).expect("an open call");
            let v = if rest.is_empty() { v } else { int(rest) };
            at(OpType::Ok, &f, v, &key)
        } else if body == "fail" || body == "info" {
            let (f, v, key) = open.remove(&p).expect("an open call");
            let kind = if body == "fail" {
                OpType::Fail
            } else {
                OpType::Info
            };
            at(kind, &f, v, &key)
        } else {
            let (f, v) = match body.as_bytes()[0] {
                b'w' => ("write", int(&body[1..])),
                b'r' => ("read", Value::Null),
                b'a' => ("acquire", Value::Null),
                b'l' => ("release", Value::Null),
                b'c' => {
                    let (a, b) = body[1..].split_once('-').expect("cA-B");
                    ("cas", json!([int(a), int(b)]))
                }
                _ => panic!("unknown invocation {body}"),
            };
            open.insert(p, (f.to_string(), v.clone(), key.clone()));
            at(OpType::Invoke, f, v, &key)
        };
        ops.push(op);
    }
    History::from_ops(ops)
}
