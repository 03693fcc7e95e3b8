//! Checking a run's history: which checkers a workload gets, their verdicts in words, and the
//! shrunk witness of an invalid linearizability verdict.

use super::RunConfig;
use crate::store::CheckResult;
use crate::workload::WorkloadKind;
use checker::convergence::{self, ConvergenceOptions, StateKind};
use checker::invariants;
use checker::linear::{self, Options};
use checker::model::spec::{ModelKind, ModelSpec};
use checker::txn::{self, TxnOptions};
use checker::Verdict;
use histories::History;
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
                    witness = super::witness::witness(history, &failure.key, &spec, &options);
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
    let kind = config.workload.kind;
    match kind {
        WorkloadKind::Booking => push(
            &mut results,
            "booking invariants",
            invariants::booking::check(history),
        ),
        WorkloadKind::Set => push(
            &mut results,
            "set invariants",
            invariants::set::check(history, &invariants::set::SetOptions::default()),
        ),
        WorkloadKind::Counter => push(
            &mut results,
            "counter invariants",
            invariants::counter::check(history),
        ),
        WorkloadKind::Register | WorkloadKind::Append => {}
    }
    let state = match kind {
        WorkloadKind::Register => StateKind::Register,
        WorkloadKind::Booking => StateKind::Booking,
        WorkloadKind::Set => StateKind::Set,
        WorkloadKind::Append => StateKind::ListAppend,
        WorkloadKind::Counter => StateKind::Counter,
    };
    push(
        &mut results,
        "convergence",
        convergence::check(history, &ConvergenceOptions { state }),
    );
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

/// A checker's report: its verdict, explained by its `Display`, and serialisable as details.
trait Judged: serde::Serialize + std::fmt::Display {
    fn verdict(&self) -> Verdict;
}

macro_rules! judged {
    ($($t:ty),*) => {$(
        impl Judged for $t {
            fn verdict(&self) -> Verdict {
                self.verdict.clone()
            }
        }
    )*};
}
judged!(
    invariants::booking::BookingReport,
    invariants::set::SetReport,
    invariants::counter::CounterReport,
    convergence::ConvergenceReport
);

fn push<R: Judged>(
    results: &mut Vec<CheckResult>,
    checker: &str,
    report: Result<R, checker::CheckError>,
) {
    match report {
        Ok(r) => {
            let details = serde_json::to_value(&r).unwrap_or_default();
            let verdict = r.verdict();
            results.push(CheckResult {
                checker: checker.to_string(),
                verdict,
                explanation: r.to_string(),
                details,
            })
        }
        Err(e) => results.push(unknown(checker, e.to_string())),
    }
}

fn unknown(checker: &str, why: String) -> CheckResult {
    CheckResult {
        checker: checker.to_string(),
        verdict: Verdict::unknown(format!("the checker could not run: {why}")),
        explanation: why,
        details: serde_json::Value::Null,
    }
}
