//! What the transactional checker is asked and what it answers.

use super::anomaly::{AnomalyKind, ConsistencyModel};
use super::explain::Anomaly;
use super::mop::Workload;
use crate::Verdict;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// How to check a transactional history.
#[derive(Debug, Clone, PartialEq)]
pub struct TxnOptions {
    /// The consistency model the verdict is about. Default: strict serializable.
    pub model: ConsistencyModel,
    /// The workload; `None` detects it from the micro-ops.
    pub workload: Option<Workload>,
    /// Bound on the cycle search; `None` for none.
    pub time_limit: Option<Duration>,
    /// How many anomalies of each kind to keep with their explanation (all are counted for the
    /// anomalies that are not cycles; the cycle search stops a kind at this many). Default 8.
    pub max_witnesses: usize,
}

impl Default for TxnOptions {
    fn default() -> Self {
        TxnOptions {
            model: ConsistencyModel::StrictSerializable,
            workload: None,
            time_limit: None,
            max_witnesses: 8,
        }
    }
}

impl TxnOptions {
    /// The default options, checking against `model`.
    pub fn model(model: ConsistencyModel) -> TxnOptions {
        TxnOptions {
            model,
            ..TxnOptions::default()
        }
    }
}

/// The answer: a verdict about the chosen model, every model ruled out, and the anomalies.
#[derive(Debug, Clone, Serialize)]
pub struct TxnReport {
    /// Invalid when an anomaly rules out `model`; Unknown when the search was cut short (or there
    /// was nothing to check); Valid otherwise.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The model the verdict is about.
    pub model: ConsistencyModel,
    /// The workload checked.
    pub workload: Workload,
    /// Every model some anomaly found rules out (weakest first).
    pub ruled_out: Vec<ConsistencyModel>,
    /// How many anomalies of each kind were found.
    pub counts: BTreeMap<AnomalyKind, usize>,
    /// The first few anomalies of each kind, explained.
    pub anomalies: Vec<Anomaly>,
    /// Transactions read (ok, fail and info).
    pub transactions: usize,
    /// Committed (ok) transactions.
    pub committed: usize,
    /// Edges of the dependency graph.
    pub edges: usize,
    /// Calls that were not transactions, ignored.
    pub skipped_calls: usize,
    /// Why the cycle search stopped early, if it did.
    pub incomplete: Option<String>,
}

impl TxnReport {
    /// True when an anomaly of this kind was found.
    pub fn has(&self, kind: AnomalyKind) -> bool {
        self.counts.contains_key(&kind)
    }

    /// The kept anomalies of this kind.
    pub fn of(&self, kind: AnomalyKind) -> impl Iterator<Item = &Anomaly> {
        self.anomalies.iter().filter(move |a| a.kind == kind)
    }
}

impl fmt::Display for TxnReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} under {} ({} transactions, {} committed, {} workload, {} graph edges)",
            self.verdict, self.model, self.transactions, self.committed, self.workload, self.edges
        )?;
        if !self.counts.is_empty() {
            let counts: Vec<String> = self
                .counts
                .iter()
                .map(|(k, n)| format!("{k} x{n}"))
                .collect();
            writeln!(f, "anomalies: {}", counts.join(", "))?;
            let out: Vec<&str> = self.ruled_out.iter().map(|m| m.name()).collect();
            writeln!(f, "ruled out: {}", out.join(", "))?;
        }
        if let Some(why) = &self.incomplete {
            writeln!(f, "search incomplete: {why}")?;
        }
        for a in &self.anomalies {
            write!(f, "{a}")?;
        }
        Ok(())
    }
}
