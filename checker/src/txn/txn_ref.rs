//! A transaction as reports and explanations name it (`T<index>`), with its micro-ops in
//! Jepsen's notation.

use histories::{Outcome, Process};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// A transaction as a report names it: `T<index>`, the index of its invocation in the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TxnRef {
    /// Index of the invocation op; the transaction is called `T<index>`.
    pub index: u64,
    /// Index of the completion op, if it completed.
    pub complete_index: Option<u64>,
    /// The process that ran it.
    pub process: Process,
    /// How it ended.
    pub outcome: Outcome,
    /// Its micro-ops (as completed, for an ok transaction).
    pub mops: Value,
}

impl TxnRef {
    /// The transaction's micro-ops in Jepsen's notation: `[append x 1] [r y [1 2]]`.
    pub fn mops_text(&self) -> String {
        match &self.mops {
            Value::Array(ms) => ms.iter().map(render).collect::<Vec<_>>().join(" "),
            other => render(other),
        }
    }
}

impl fmt::Display for TxnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.index)
    }
}

fn render(v: &Value) -> String {
    match v {
        Value::Null => "nil".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(xs) => format!("[{}]", xs.iter().map(render).collect::<Vec<_>>().join(" ")),
        other => other.to_string(),
    }
}
