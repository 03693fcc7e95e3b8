//! Exporting a history as Jepsen EDN.
//!
//! The output is one vector of op maps, one op per line, as in Knossos' data files:
//! `{:index 0, :time 0, :type :invoke, :process 0, :f :read, :value nil}`. The type, the f (when it
//! is a valid keyword name) and the `:nemesis` process are keywords; JSON strings inside values
//! stay EDN strings; object keys become keywords when they are valid keyword names, strings
//! otherwise; errors that are keyword-like strings become keywords, as Jepsen writes them. The
//! header goes on a first comment line, `; rift header: {"rift_history":1,...}`, which
//! [`super::read_edn`] reads back.

use crate::{History, HistoryError, Op, OpType, Process};
use serde_json::Value;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// The comment prefix of the header line.
pub const HEADER_COMMENT: &str = "; rift header: ";

/// Writes `h` to `w` as a Jepsen EDN history.
pub fn write_edn<W: Write>(w: W, h: &History) -> Result<(), HistoryError> {
    let io = |source| HistoryError::Io {
        path: PathBuf::from("<output>"),
        source,
    };
    let mut out = BufWriter::new(w);
    let header = serde_json::to_string(&h.header).map_err(|e| io(e.into()))?;
    let mut text = String::with_capacity(128);
    writeln!(out, "{HEADER_COMMENT}{header}").map_err(io)?;
    out.write_all(b"[").map_err(io)?;
    for (i, op) in h.ops.iter().enumerate() {
        text.clear();
        if i > 0 {
            text.push_str("\n ");
        }
        op_map(&mut text, op);
        out.write_all(text.as_bytes()).map_err(io)?;
    }
    out.write_all(b"]\n").map_err(io)?;
    out.flush().map_err(io)
}

/// Appends `op` as an EDN map.
fn op_map(out: &mut String, op: &Op) {
    out.push_str(&format!(
        "{{:index {}, :time {}, :type :",
        op.index, op.time
    ));
    out.push_str(match op.kind {
        OpType::Invoke => "invoke",
        OpType::Ok => "ok",
        OpType::Fail => "fail",
        OpType::Info => "info",
    });
    match op.process {
        Process::Client(p) => out.push_str(&format!(", :process {p}")),
        Process::Nemesis => out.push_str(", :process :nemesis"),
    }
    out.push_str(", :f ");
    name(out, &op.f);
    if let Some(key) = &op.key {
        out.push_str(", :key ");
        value(out, key);
    }
    out.push_str(", :value ");
    value(out, &op.value);
    if let Some(error) = &op.error {
        out.push_str(", :error ");
        match error {
            Value::String(s) => name(out, s),
            other => value(out, other),
        }
    }
    if let Some(node) = &op.node {
        out.push_str(", :node ");
        string(out, node);
    }
    for (k, v) in &op.extra {
        out.push_str(", ");
        name(out, k);
        out.push(' ');
        value(out, v);
    }
    out.push('}');
}

/// Appends `s` as a keyword when it is a valid keyword name, else as a string.
fn name(out: &mut String, s: &str) {
    if is_keyword_name(s) {
        out.push(':');
        out.push_str(s);
    } else {
        string(out, s);
    }
}

/// True when `:s` reads back as the keyword `s`.
fn is_keyword_name(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let ok = |c: char| c.is_ascii_alphanumeric() || "*+!-_?<>=.".contains(c);
    (first.is_ascii_alphabetic() || "*!_?<>=".contains(first)) && chars.all(ok)
}

/// Appends a JSON value as EDN.
fn value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("nil"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                name(out, k);
                out.push(' ');
                value(out, v);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as an EDN string literal.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edn_of(op: &Op) -> String {
        let mut s = String::new();
        op_map(&mut s, op);
        s
    }

    #[test]
    fn types_fs_and_the_nemesis_are_keywords_and_strings_stay_strings() {
        let op = Op::new(
            3,
            7,
            Process::Client(2),
            OpType::Ok,
            "read",
            json!(["x", 1, null]),
        );
        assert_eq!(
            edn_of(&op),
            "{:index 3, :time 7, :type :ok, :process 2, :f :read, :value [\"x\" 1 nil]}"
        );
        let nem = Op::new(
            0,
            0,
            Process::Nemesis,
            OpType::Info,
            "start partition",
            json!(null),
        );
        assert_eq!(
            edn_of(&nem),
            "{:index 0, :time 0, :type :info, :process :nemesis, :f \"start partition\", :value nil}"
        );
    }

    #[test]
    fn keys_errors_nodes_and_extra_keys_are_written() {
        let mut op = Op::new(1, 1, Process::Client(0), OpType::Fail, "cas", json!([1, 2]))
            .with_key(json!("k\"1"));
        op.error = Some(json!("timed-out"));
        op.node = Some("n1".into());
        op.extra.insert("rev".into(), json!({"a b": 1.5}));
        assert_eq!(
            edn_of(&op),
            "{:index 1, :time 1, :type :fail, :process 0, :f :cas, :key \"k\\\"1\", :value [1 2], :error :timed-out, :node \"n1\", :rev {\"a b\" 1.5}}"
        );
    }

    #[test]
    fn only_names_that_read_back_as_keywords_are_written_as_keywords() {
        for good in ["read", "timed-out", "a.b", "ok?"] {
            assert!(is_keyword_name(good), "{good}");
        }
        for bad in ["", "1x", "a b", "nil/", "-1", ":x", "é"] {
            assert!(!is_keyword_name(bad), "{bad}");
        }
    }
}
