//! Reading the op lines of Jepsen's console log.
//!
//! An op line is `... jepsen.util - PROCESS TYPE F VALUE [ERROR]`, fields separated by tabs or
//! spaces, e.g. `INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]`. The process is an integer or
//! `:nemesis`; the other fields are EDN. Lines without `jepsen.util -` followed by a process are
//! not op lines and are skipped (test setup, node logs, ...); a line that has that form but does
//! not parse is an error.
//!
//! On a client's `:fail` or `:info`, a keyword in the value's place is the error Jepsen put there
//! (`4 :info :write :timed-out`): the op gets `error = "timed-out"` and a null value. An error
//! after the value (Jepsen prints it as a fifth field) is kept in `error` too, as EDN when it
//! parses and as text otherwise. Ops have no time in this format: time is the index.

use super::edn::json::to_json;
use super::edn::op_map::{f_of, process_of, type_of};
use super::edn::parser::Parser;
use super::edn::Edn;
use crate::{History, HistoryError, Location, Op, OpType, Process, Provenance};
use serde_json::Value;

/// What introduces an op line.
const MARKER: &str = "jepsen.util";

/// The history in the op lines of `text`.
pub fn read_jepsen_log(text: &str) -> Result<History, HistoryError> {
    let mut ops = Vec::new();
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n as u32 + 1;
        let Some(start) = op_fields_start(line) else {
            continue;
        };
        let op = read_op_line(line, line_no, start, ops.len() as u64)?;
        ops.push(op);
        lines.push(line_no);
    }
    let mut history = History::from_ops(ops);
    history.provenance = Provenance {
        lines,
        ..Provenance::default()
    };
    Ok(history)
}

/// Where the fields of an op line start: after `jepsen.util`, a `-` or `:`, and blanks, at an
/// integer or `:nemesis`. `None` for lines that are not op lines.
fn op_fields_start(line: &str) -> Option<usize> {
    let at = line.find(MARKER)? + MARKER.len();
    let after = &line[at..];
    let trimmed = after.trim_start_matches([' ', '\t']);
    let separated = trimmed
        .strip_prefix('-')
        .or_else(|| trimmed.strip_prefix(':'))?;
    let fields = separated.trim_start_matches([' ', '\t']);
    let is_op = fields.starts_with(|c: char| c.is_ascii_digit()) || fields.starts_with(":nemesis");
    is_op.then(|| line.len() - fields.len())
}

fn read_op_line(line: &str, line_no: u32, start: usize, index: u64) -> Result<Op, HistoryError> {
    let mut p = Parser::at_line(line, line_no);
    p.advance(start);
    let (process, at) = field(&mut p, "the process")?;
    let process = process_of(&process).map_err(|m| p.error_at(at, m))?;
    let (kind, at) = field(&mut p, "the type (:invoke, :ok, :fail or :info)")?;
    let kind = type_of(&kind).map_err(|m| p.error_at(at, m))?;
    let (f, at) = field(&mut p, "the operation (:f)")?;
    let f = f_of(&f).map_err(|m| p.error_at(at, m))?;
    let (value, _) = field(&mut p, "the value")?;
    let mut op = Op::new(index, index, process, kind, &f, to_json(&value));
    if let Some(error) = tail_error(&mut p) {
        op.error = Some(error);
    }
    let completion_with_keyword = process != Process::Nemesis
        && matches!(kind, OpType::Fail | OpType::Info)
        && matches!(value, Edn::Keyword(_));
    if completion_with_keyword && op.error.is_none() {
        op.error = Some(op.value.take());
    }
    Ok(op)
}

/// The next field of an op line and where it starts.
fn field(p: &mut Parser, what: &str) -> Result<(Edn, Location), HistoryError> {
    p.skip_ws();
    let at = p.here();
    if p.at_end() {
        return Err(p.error(format!(
            "this jepsen.util op line ends early; expected {what} (op lines read PROCESS TYPE F VALUE)"
        )));
    }
    Ok((p.parse_value()?, at))
}

/// The error after the value, if any: one EDN value when the rest of the line is one, else the text.
/// A `nil` there is no error, as `:error nil` is none in EDN and `"error": null` in JSON lines.
fn tail_error(p: &mut Parser) -> Option<Value> {
    p.skip_ws();
    if p.at_end() {
        return None;
    }
    let text = p.rest().trim();
    let mut inner = Parser::new(text);
    let parsed = inner.parse_value().ok().filter(|_| {
        inner.skip_ws();
        inner.at_end()
    });
    match parsed.map_or_else(|| Value::String(text.to_string()), |v| to_json(&v)) {
        Value::Null => None,
        error => Some(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Outcome;
    use serde_json::json;

    #[test]
    fn tab_separated_op_lines_read_into_ops() {
        let h = read_jepsen_log(
            "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\nINFO  jepsen.util - 2\t:ok\t:cas\t[3 0]\n",
        )
        .unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h.ops[0].process, Process::Client(2));
        assert_eq!(h.ops[0].f, "cas");
        assert_eq!(h.ops[1].value, json!([3, 0]));
        assert_eq!(h.ops[1].index, 1);
        assert_eq!(h.provenance.lines, vec![1, 2]);
    }

    #[test]
    fn a_timed_out_info_leaves_the_call_open_and_records_the_error() {
        let h = read_jepsen_log(
            "INFO  jepsen.util - 4 :invoke :write 3\nINFO  jepsen.util - 4 :info :write :timed-out\n",
        )
        .unwrap();
        assert_eq!(h.ops[1].error, Some(json!("timed-out")));
        assert_eq!(h.ops[1].value, Value::Null);
        let calls = h.calls().unwrap();
        assert_eq!(calls[0].outcome, Outcome::Info);
        assert_eq!(calls[0].argument, json!(3));
    }

    #[test]
    fn other_log_lines_are_skipped_and_nemesis_lines_kept() {
        let h = read_jepsen_log(
            "INFO  jepsen.core - Running test\nINFO  jepsen.util - :nemesis\t:info\t:start\t\"Cut off {:n1 #{:n2}}\"\nWARN  jepsen.util - Waiting for nodes\n",
        )
        .unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h.ops[0].process, Process::Nemesis);
        assert_eq!(h.ops[0].value, json!("Cut off {:n1 #{:n2}}"));
        assert_eq!(h.provenance.lines, vec![2]);
    }

    #[test]
    fn an_error_after_the_value_is_kept() {
        let h = read_jepsen_log(
            "INFO jepsen.util - 1 :fail :cas [1 2] :not-found\nINFO jepsen.util - 1 :fail :read nil Connection refused: n1\n",
        )
        .unwrap();
        assert_eq!(h.ops[0].error, Some(json!("not-found")));
        assert_eq!(h.ops[0].value, json!([1, 2]));
        assert_eq!(h.ops[1].error, Some(json!("Connection refused: n1")));
    }

    #[test]
    fn a_nil_after_the_value_is_no_error() {
        let h = read_jepsen_log("INFO  jepsen.util - 0\t:invoke\t:read\tnil\tnil\n").unwrap();
        assert_eq!(h.ops[0].error, None);
    }

    #[test]
    fn a_malformed_op_line_is_an_error_with_line_and_column() {
        let e = read_jepsen_log("INFO x\nINFO  jepsen.util - 3\t:invoke\t:cas\t[1 4\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("<input>:2:"), "{e}");
        assert!(e.contains("not closed"), "{e}");
        let e = read_jepsen_log("INFO  jepsen.util - 3 :begin :read nil\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("<input>:1:23:"), "{e}");
        assert!(e.contains("expected :type"), "{e}");
        let e = read_jepsen_log("INFO  jepsen.util - 3 :invoke :read\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected the value"), "{e}");
    }
}
