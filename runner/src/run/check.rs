//! Checking a run's history with its workload's checkers, and the shrunk witness of an invalid
//! linearizability verdict.

use super::RunConfig;
use crate::store::CheckResult;
use checker::linear::Options;
use checker::model::spec::{ModelKind, ModelSpec};
use checker::{Evidence, Judgement, Verdict};
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

/// Runs every checker of the config's workload on `history`.
pub fn check(config: &RunConfig, history: &History) -> Checked {
    let judgements = match config.workload.workload() {
        Ok(w) => w.checkers(&config.workload, CHECK_LIMIT).judge(history),
        Err(e) => vec![Judgement {
            checker: "workload".into(),
            verdict: Verdict::unknown(format!("no checker could be chosen: {e}")),
            explanation: e.to_string(),
            evidence: Evidence::None,
        }],
    };
    let witness = judgements.iter().find_map(|j| linear_witness(history, j));
    Checked {
        results: judgements.iter().map(CheckResult::from).collect(),
        witness,
    }
}

/// The shrunk witness of an invalid linearizability judgement's first failing key.
fn linear_witness(history: &History, judgement: &Judgement) -> Option<History> {
    let Evidence::Linear(report) = &judgement.evidence else {
        return None;
    };
    let failure = report.invalid.first()?;
    let kind: ModelKind = report.model.parse().ok()?;
    let options = Options {
        time_limit: Some(CHECK_LIMIT),
        ..Options::default()
    };
    super::witness::witness(history, &failure.key, &ModelSpec::new(kind), &options)
}
