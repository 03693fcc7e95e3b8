//! A tiny text notation for transactional histories, for tests (after Elle's `"ax1ry12"`).
//!
//! A history is a list of entries separated by `;` or newlines. An entry is
//! `[p<N>] [invoke|ok|fail|info] <micro-op> <micro-op> ...`:
//! - micro-ops: `ax1` appends 1 to key x; `wx1` writes 1 to register x; `ry12` reads y: for
//!   list-append the list [1 2] (`ry` is the empty list), for rw-register the value 1 (`ry` is
//!   nil, the initial state). Keys are one lowercase letter, values one digit. The history is
//!   rw-register when any micro-op is a `w`, list-append otherwise.
//! - `p<N>` names the process; without it, entry number i runs on its own process i.
//! - no type word: a committed transaction, invoked and completed ok at once (a serial
//!   transaction). `fail` or `info` on a process with no open call: a serial transaction that
//!   failed or ended indeterminate. `invoke`: the invocation only (its reads are recorded as nil).
//!   `ok`, `fail` or `info` on a process with an open call: that call's completion, with these
//!   micro-ops (for ok, the values read).
//!
//! Each event's time is its index, so real-time order is the order of the entries:
//! `p0 invoke ax1; p1 ry1; p0 ok ax1` makes p1's transaction concurrent with p0's.

use crate::CheckError;
use histories::{History, Op, OpType, Process};
use serde_json::{json, Value};
use std::collections::HashSet;

/// Reads a history written in the notation.
pub fn parse(text: &str) -> Result<History, CheckError> {
    let entries: Vec<&str> = text
        .split([';', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let register = entries
        .iter()
        .flat_map(|e| e.split_whitespace())
        .any(|t| t.len() == 3 && t.starts_with('w'));
    let mut ops: Vec<Op> = Vec::new();
    let mut open: HashSet<u64> = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let err = |message: String| CheckError::Notation {
            entry: i + 1,
            text: entry.to_string(),
            message,
        };
        let mut tokens = entry.split_whitespace().peekable();
        let mut process = i as u64;
        if let Some(p) = tokens.peek().and_then(|t| t.strip_prefix('p')) {
            process = p
                .parse()
                .map_err(|_| err(format!("expected a process like p3, found p{p}")))?;
            tokens.next();
        }
        let word = match tokens.peek() {
            Some(&w @ ("invoke" | "ok" | "fail" | "info")) => {
                tokens.next();
                Some(w)
            }
            _ => None,
        };
        let mops: Vec<&str> = tokens.collect();
        let completes = open.contains(&process) && word != Some("invoke");
        let kind = match word {
            None | Some("ok") => OpType::Ok,
            Some("fail") => OpType::Fail,
            Some("info") => OpType::Info,
            _ => OpType::Invoke,
        };
        if word == Some("invoke") && open.contains(&process) {
            return Err(err(format!("process p{process} already has an open call")));
        }
        if word == Some("ok") && !completes {
            return Err(err(format!(
                "ok on process p{process}, which has no open call"
            )));
        }
        if !completes {
            let value = mops_json(&mops, register, false).map_err(err)?;
            push(&mut ops, process, OpType::Invoke, value);
            if kind == OpType::Invoke {
                open.insert(process);
                continue;
            }
        }
        open.remove(&process);
        let value = mops_json(&mops, register, kind == OpType::Ok).map_err(err)?;
        push(&mut ops, process, kind, value);
    }
    Ok(History::from_ops(ops))
}

fn push(ops: &mut Vec<Op>, process: u64, kind: OpType, value: Value) {
    let i = ops.len() as u64;
    ops.push(Op::new(i, i, Process::Client(process), kind, "txn", value));
}

fn mops_json(mops: &[&str], register: bool, completed: bool) -> Result<Value, String> {
    mops.iter()
        .map(|m| mop_json(m, register, completed))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn mop_json(m: &str, register: bool, completed: bool) -> Result<Value, String> {
    let mut chars = m.chars();
    let (f, key) = match (chars.next(), chars.next()) {
        (Some(f @ ('a' | 'w' | 'r')), Some(k)) if k.is_ascii_lowercase() => (f, k.to_string()),
        _ => {
            return Err(format!(
                "expected a micro-op like ax1, wx1 or rx12, found {m:?}"
            ))
        }
    };
    let digits: Vec<i64> = chars
        .map(|c| {
            c.to_digit(10)
                .map(i64::from)
                .ok_or_else(|| format!("expected digits after {f}{key} in {m:?}"))
        })
        .collect::<Result<_, _>>()?;
    match (f, digits.as_slice()) {
        ('a', [v]) => Ok(json!(["append", key, v])),
        ('w', [v]) => Ok(json!(["w", key, v])),
        ('a' | 'w', _) => Err(format!("{m:?}: a write takes exactly one digit")),
        ('r', _) if !completed => Ok(json!(["r", key, null])),
        ('r', []) if register => Ok(json!(["r", key, null])),
        ('r', [v]) if register => Ok(json!(["r", key, v])),
        ('r', _) if register => Err(format!("{m:?}: a register read shows one value")),
        (_, vs) => Ok(json!(["r", key, vs])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use histories::Outcome;

    #[test]
    fn a_serial_entry_is_one_committed_transaction() {
        let h = parse("p3 ax1 ry12").unwrap();
        let calls = h.calls().unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].process, Process::Client(3));
        assert_eq!(calls[0].outcome, Outcome::Ok);
        assert_eq!(
            calls[0].result,
            json!([["append", "x", 1], ["r", "y", [1, 2]]])
        );
        assert_eq!(
            calls[0].argument,
            json!([["append", "x", 1], ["r", "y", null]])
        );
    }

    #[test]
    fn invoke_and_completion_entries_make_concurrent_calls() {
        let h = parse("p0 invoke ax1; p1 rx1; p0 ok ax1").unwrap();
        let calls = h.calls().unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].complete_index, Some(3));
        assert_eq!(calls[1].invoke_index, 1);
    }

    #[test]
    fn a_write_makes_reads_register_reads() {
        let h = parse("wx1; rx1; ry").unwrap();
        let calls = h.calls().unwrap();
        assert_eq!(calls[1].result, json!([["r", "x", 1]]));
        assert_eq!(calls[2].result, json!([["r", "y", null]]));
    }

    #[test]
    fn garbled_notation_is_an_error_naming_the_entry() {
        let e = parse("ax1; qz").unwrap_err();
        assert!(e.to_string().contains("entry 2"), "{e}");
        assert!(parse("p0 ok ax1").is_err());
        assert!(parse("ax12").is_err());
    }
}
