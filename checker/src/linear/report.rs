//! The result of a linearizability check: the verdict, per-key findings and the work it took.

use super::explain::{CallView, KeyFailure};
use crate::model::FailSemantics;
use crate::Verdict;
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// A key the check could not decide.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyUnknown {
    /// The key (`null` for an unpartitioned history).
    pub key: Value,
    /// Why.
    pub reason: String,
}

/// A key's linearisation (asked for with `explain`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyLinearization {
    /// The key (`null` for an unpartitioned history).
    pub key: Value,
    /// The calls that took effect, in order.
    pub calls: Vec<CallView>,
}

/// Everything a linearizability check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The verdict: Invalid if any key is, else Unknown if any key is, else Valid.
    pub verdict: Verdict,
    /// The model checked against.
    pub model: String,
    /// The meaning given to failed ops.
    pub semantics: FailSemantics,
    /// Calls that constrain the model (after dropping failed ops and reads of unknown value).
    pub calls: usize,
    /// Partitions (keys).
    pub keys: usize,
    /// Keys decided by the dependency-graph fast path.
    pub keys_fast_path: usize,
    /// Keys decided by the search.
    pub keys_searched: usize,
    /// Keys not checked because another key was invalid first.
    pub keys_skipped: usize,
    /// Configurations the searches memoised, over all keys.
    pub memo_entries: u64,
    /// The invalid keys, with explanations (only the first unless every key was asked for).
    pub invalid: Vec<KeyFailure>,
    /// The undecided keys.
    pub unknown: Vec<KeyUnknown>,
    /// Linearisations of the valid keys, when asked for.
    pub linearizations: Vec<KeyLinearization>,
}

impl fmt::Display for Report {
    /// The verdict line, then the explanations.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}, {} calls in {} key{}: {} by dependency graph, {} searched{})",
            self.verdict,
            self.model,
            self.calls,
            self.keys,
            if self.keys == 1 { "" } else { "s" },
            self.keys_fast_path,
            self.keys_searched,
            if self.keys_skipped > 0 {
                format!(", {} skipped", self.keys_skipped)
            } else {
                String::new()
            },
        )?;
        for failure in &self.invalid {
            write!(f, "{failure}")?;
        }
        for u in &self.unknown {
            writeln!(f, "key {}: unknown: {}", u.key, u.reason)?;
        }
        for l in &self.linearizations {
            if !l.key.is_null() {
                writeln!(f, "key {}:", l.key)?;
            }
            for (k, c) in l.calls.iter().enumerate() {
                writeln!(f, "    {}. {c}", k + 1)?;
            }
        }
        Ok(())
    }
}
