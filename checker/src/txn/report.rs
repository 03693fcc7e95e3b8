//! What the transactional checker is asked and what it answers.

use super::anomaly::{AnomalyKind, ConsistencyModel};
use super::explain::Anomaly;
use super::graph::EdgeKind;
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
    /// When not empty, the verdict is about these anomalies instead of `model`: Invalid when one
    /// of them, or a kind that implies one of them ([`AnomalyKind::implies`]), is found (Elle's
    /// `:anomalies`).
    pub anomalies: Vec<AnomalyKind>,
    /// Infer edges from each process's order (the `-process` anomalies). Default on. The edges
    /// are built only when some kind that could make the verdict Invalid needs them (not for
    /// serializable, say), so a weaker question costs less.
    pub process_order: bool,
    /// Infer edges from real-time order (the `-realtime` anomalies). Default on. As for process
    /// order, the edges are built only when some kind that could make the verdict Invalid needs
    /// them (for strict serializability, not for strong session serializability): the
    /// `-realtime` kinds are then neither looked for nor reported.
    pub realtime_order: bool,
    /// rw-register: infer that a transaction's write to a key follows the version it read
    /// there (writes-follow-reads), the source of most of a register history's ww and rw edges.
    /// Default on.
    pub writes_follow_reads: bool,
}

impl Default for TxnOptions {
    fn default() -> Self {
        TxnOptions {
            model: ConsistencyModel::StrictSerializable,
            workload: None,
            time_limit: None,
            max_witnesses: 8,
            anomalies: Vec::new(),
            process_order: true,
            realtime_order: true,
            writes_follow_reads: true,
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

    /// True when finding an anomaly of this kind makes the verdict Invalid.
    pub fn prohibits(&self, kind: AnomalyKind) -> bool {
        if self.anomalies.is_empty() {
            self.model.forbids(kind)
        } else {
            self.anomalies
                .iter()
                .any(|a| a.implied_by().contains(&kind))
        }
    }

    /// True when the graph gets edges of this order kind (process or real-time): the order is
    /// on, and some kind that could make the verdict Invalid needs it. Real-time edges serve only
    /// the `-realtime` kinds; process edges the `-process` kinds, and the `-realtime` ones too,
    /// whose cycles may pass through process edges. Data edges are always built.
    pub(crate) fn builds(&self, kind: EdgeKind) -> bool {
        let needed = |edge: EdgeKind| {
            AnomalyKind::ALL
                .into_iter()
                .any(|k| k.order_edge() == Some(edge) && self.prohibits(k))
        };
        match kind {
            EdgeKind::Realtime => self.realtime_order && needed(EdgeKind::Realtime),
            EdgeKind::Process => {
                self.process_order && (needed(EdgeKind::Process) || self.builds(EdgeKind::Realtime))
            }
            EdgeKind::Ww | EdgeKind::Wr | EdgeKind::Rw => true,
        }
    }

    /// The anomaly kinds that could make the verdict Invalid but that these options never look
    /// for: the `-process` ones with process order off, the `-realtime` ones with real-time
    /// order off.
    pub fn unsearched(&self) -> Vec<AnomalyKind> {
        AnomalyKind::ALL
            .into_iter()
            .filter(|&k| self.prohibits(k))
            .filter(|&k| match k.order_edge() {
                Some(EdgeKind::Realtime) => !self.realtime_order,
                // With real-time order on, a cycle closed by process order is found closed by
                // real-time order instead (a process runs one transaction at a time), so it is
                // only missed when that variant would not count.
                Some(EdgeKind::Process) => {
                    let found_as_realtime = k
                        .implies()
                        .iter()
                        .any(|&i| i.order_edge() == Some(EdgeKind::Realtime) && self.prohibits(i));
                    let covered = self.realtime_order && found_as_realtime;
                    !(self.process_order || covered)
                }
                _ => false,
            })
            .collect()
    }

    /// What the verdict is about, in words: `strict-serializable`, or `anomalies G1a, G1c`.
    pub fn question(&self) -> String {
        if self.anomalies.is_empty() {
            self.model.to_string()
        } else {
            let names: Vec<&str> = self.anomalies.iter().map(|a| a.name()).collect();
            format!("anomalies {}", names.join(", "))
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
    /// When not empty, the verdict is about these anomalies instead of `model`.
    pub checked_for: Vec<AnomalyKind>,
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
    /// What the verdict is about: `under strict-serializable`, or `for anomalies G1a, G1c`.
    pub fn question(&self) -> String {
        if self.checked_for.is_empty() {
            format!("under {}", self.model)
        } else {
            let names: Vec<&str> = self.checked_for.iter().map(|a| a.name()).collect();
            format!("for anomalies {}", names.join(", "))
        }
    }

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
            "{} {} ({} transactions, {} committed, {} workload, {} graph edges)",
            self.verdict,
            self.question(),
            self.transactions,
            self.committed,
            self.workload,
            self.edges
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
