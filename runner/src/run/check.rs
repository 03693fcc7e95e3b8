//! Checking a run's history: which checkers a workload gets, their verdicts in words, and the
//! shrunk witness of an invalid linearizability verdict.

use super::RunConfig;
use crate::store::CheckResult;
use crate::workload::WorkloadKind;
use checker::linear::{self, shrink::shrink, Options};
use checker::model::spec::{ModelKind, ModelSpec};
use checker::txn::{self, TxnOptions};
use checker::Verdict;
use histories::{History, Op};
use std::time::Duration;

/// The checkers' results, and the smallest sub-history found that is still invalid.
#[derive(Debug, Clone)]
pub struct Checked {
    /// One result per checker.
    pub results: Vec<CheckResult>,
    /// The shrunk witness of the first invalid key, when linearizability failed.
    pub witness: Option<History>,
}

/// How long each checker may take before its verdict is Unknown.
const CHECK_LIMIT: Duration = Duration::from_secs(60);

/// How many calls the failing key may have for its witness to be shrunk (ddmin checks many
/// sub-histories).
const SHRINK_MAX_CALLS: usize = 4000;

/// The linearizability model of a workload, if it has one.
fn model(kind: WorkloadKind) -> Option<ModelKind> {
    match kind {
        WorkloadKind::Register => Some(ModelKind::CasRegister),
        WorkloadKind::Booking => Some(ModelKind::Booking),
        WorkloadKind::Set => Some(ModelKind::Set),
        WorkloadKind::Counter => Some(ModelKind::Counter),
        WorkloadKind::Append => None,
    }
}

/// Runs every checker the workload gets on `history`.
pub fn check(config: &RunConfig, history: &History) -> Checked {
    let mut results = Vec::new();
    let mut witness = None;
    if let Some(kind) = model(config.workload.kind) {
        let spec = ModelSpec::new(kind);
        let options = Options {
            time_limit: Some(CHECK_LIMIT),
            ..Options::default()
        };
        match linear::check_history(history, &spec, &options) {
            Ok(report) => {
                let explanation = if report.invalid.is_empty() {
                    match &report.verdict {
                        Verdict::Unknown { reason } => reason.clone(),
                        _ => format!(
                            "{} calls over {} keys have a linearisation ({} model)",
                            report.calls, report.keys, report.model
                        ),
                    }
                } else {
                    report
                        .invalid
                        .iter()
                        .map(|f| f.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                if let Some(failure) = report.invalid.first() {
                    witness = shrunk(history, &failure.key, &spec, &options);
                }
                results.push(CheckResult {
                    checker: format!("linearizable ({})", report.model),
                    verdict: report.verdict.clone(),
                    explanation,
                    details: serde_json::to_value(&report).unwrap_or_default(),
                });
            }
            Err(e) => results.push(unknown("linearizable", e.to_string())),
        }
    }
    if config.workload.kind == WorkloadKind::Append {
        let opts = TxnOptions {
            time_limit: Some(CHECK_LIMIT),
            ..TxnOptions::default()
        };
        match txn::check(history, &opts) {
            Ok(report) => results.push(CheckResult {
                checker: format!("transactions ({})", report.model),
                verdict: report.verdict.clone(),
                explanation: report.to_string(),
                details: serde_json::to_value(&report).unwrap_or_default(),
            }),
            Err(e) => results.push(unknown("transactions", e.to_string())),
        }
    }
    Checked { results, witness }
}

fn unknown(checker: &str, why: String) -> CheckResult {
    CheckResult {
        checker: checker.to_string(),
        verdict: Verdict::unknown(format!("the checker could not run: {why}")),
        explanation: why,
        details: serde_json::Value::Null,
    }
}

/// The failing key's calls shrunk to a 1-minimal invalid sub-history, when small enough.
fn shrunk(
    history: &History,
    key: &serde_json::Value,
    spec: &ModelSpec,
    options: &Options,
) -> Option<History> {
    let ops: Vec<Op> = history
        .client_ops()
        .filter(|o| key.is_null() || o.key.as_ref() == Some(key))
        .cloned()
        .collect();
    if ops.len() > 2 * SHRINK_MAX_CALLS {
        return None;
    }
    let mut sub = History::from_ops(ops);
    sub.header = history.header.clone();
    shrink(&sub, spec, options).ok().flatten()
}
