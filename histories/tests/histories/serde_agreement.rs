//! The JSONL reader reads most op lines on a fast path of its own and leaves the rest to serde;
//! either way it must read every line exactly as serde reads it: the same op, or an error with
//! serde's message. Checked on random ops (every kind of JSON value, escapes, floats, extra keys),
//! written compactly and with whitespace, and on garbled copies of them.

use histories::formats::JsonlReader;
use histories::{Op, OpType, Process};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Strings with characters that need escapes, non-ASCII ones and the names of `Op`'s own fields.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,6}",
        "[a-z\"\\\\/\n\t\u{1}é😀 ]{0,6}",
        Just("index".to_string()),
        Just("nemesis".to_string()),
        Just("ok".to_string()),
        Just("value".to_string()),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0..20u64).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        Just(serde_json::json!(-0.0)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        Just(OpType::Invoke),
        Just(OpType::Ok),
        Just(OpType::Fail),
        Just(OpType::Info),
    ];
    let process = prop_oneof![
        any::<u64>().prop_map(Process::Client),
        Just(Process::Nemesis)
    ];
    (
        (any::<u64>(), any::<u64>(), process, kind, text()),
        (
            proptest::option::of(value()),
            value(),
            proptest::option::of(value()),
            proptest::option::of(text()),
            proptest::collection::btree_map(text(), value(), 0..3),
        ),
    )
        .prop_map(
            |((index, time, process, kind, f), (key, value, error, node, extra))| Op {
                index,
                time,
                process,
                kind,
                f,
                key,
                value,
                error,
                node,
                extra: extra.into_iter().collect::<Map<_, _>>(),
            },
        )
}

/// Asserts the reader reads `line` (after a header line) as serde does.
fn agree(line: &str) -> Result<(), TestCaseError> {
    if line.trim().is_empty() || line.contains(['\n', '\r']) {
        return Ok(());
    }
    let text = format!("{{\"rift_history\":1}}\n{line}\n");
    let mut reader = JsonlReader::new(text.as_bytes()).expect("the header reads");
    let ours = reader.next().expect("one line, one result");
    match (ours, serde_json::from_str::<Op>(line)) {
        (Ok(ours), Ok(theirs)) => prop_assert_eq!(ours, theirs, "{}", line),
        (Err(ours), Err(theirs)) => {
            let theirs = theirs.to_string();
            let theirs = &theirs[..theirs.rfind(" at line ").unwrap_or(theirs.len())];
            let ours = ours.to_string();
            prop_assert!(ours.contains(theirs), "{line}: {ours} vs {theirs}");
            prop_assert!(ours.starts_with("<input>:2:"), "{line}: {ours}");
        }
        (ours, theirs) => prop_assert!(false, "{line}: reader {ours:?}, serde {theirs:?}"),
    }
    Ok(())
}

/// Characters that matter to a JSON parser.
const SIGNIFICANT: &[u8] = b"[]{}\":,\\ \t-+.eE0123456789ntf";

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn every_written_op_reads_back_as_serde_reads_it(op in op()) {
        let line = serde_json::to_string(&op).unwrap();
        agree(&line)?;
        let spaced = serde_json::to_string_pretty(&op).unwrap().replace('\n', " ");
        agree(&spaced)?;
    }

    #[test]
    fn garbled_op_lines_read_as_serde_reads_them(
        op in op(),
        from in 0.0..1.0f64,
        len in 0..4usize,
        inserted in proptest::collection::vec(0..SIGNIFICANT.len(), 0..3),
    ) {
        let line = serde_json::to_string(&op).unwrap();
        let mut a = (line.len() as f64 * from) as usize;
        while !line.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = (a + len).min(line.len());
        while !line.is_char_boundary(b) {
            b += 1;
        }
        let inserted: String = inserted.iter().map(|&i| SIGNIFICANT[i] as char).collect();
        agree(&format!("{}{}{}", &line[..a], inserted, &line[b..]))?;
    }
}
