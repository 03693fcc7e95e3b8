//! Checking a run's history with its workload's checkers (one [`Compose`]), and the shrunk
//! witness of its first invalid verdict.

use super::RunConfig;
use crate::store::CheckResult;
use checker::categories::Categories;
use checker::{Checker, Evidence, Judgement, NoWitness, Verdict, Witness};
use histories::History;
use std::time::Duration;

/// The checkers' judgements, and the witness of the first invalid one.
#[derive(Debug, Clone)]
pub struct Checked {
    /// One judgement per checker, with its typed evidence.
    pub judgements: Vec<Judgement>,
    /// The shrunk witness of the first invalid judgement that has one, or why there is none.
    pub witness: Result<Witness, NoWitness>,
}

impl Checked {
    /// The judgements as results.json stores them.
    pub fn results(&self) -> Vec<CheckResult> {
        self.judgements.iter().map(CheckResult::from).collect()
    }

    /// Every judgement's verdict merged (Invalid > Unknown > Valid; none is Unknown).
    pub fn verdict(&self) -> Verdict {
        self.judgements.iter().map(|j| j.verdict.clone()).collect()
    }

    /// What a table shows of the verdict, never cut mid-word: the anomaly categories with counts
    /// when invalid ("stale read x12, double booking x3"; the invalid checkers' names when their
    /// evidence names no category), the reason when unknown, "none" when valid.
    pub fn anomalies(&self) -> String {
        match self.verdict() {
            Verdict::Valid => "none".into(),
            Verdict::Unknown { reason } => reason,
            Verdict::Invalid => {
                let categories = Categories::of_all(&self.judgements);
                if categories.0.is_empty() {
                    let invalid: Vec<&str> = self
                        .judgements
                        .iter()
                        .filter(|j| j.verdict == Verdict::Invalid)
                        .map(|j| j.checker.as_str())
                        .collect();
                    format!("invalid by {}", invalid.join(", "))
                } else {
                    categories.to_string()
                }
            }
        }
    }
}

/// How long each checker may take before its verdict is Unknown.
const CHECK_LIMIT: Duration = Duration::from_secs(60);

/// Runs every checker of the config's workload on `history`, and shrinks the first invalid
/// verdict to a witness.
pub fn check(config: &RunConfig, history: &History) -> Checked {
    let checkers = match config.workload.workload() {
        Ok(w) => w.checkers(&config.workload, CHECK_LIMIT),
        Err(e) => {
            return Checked {
                judgements: vec![Judgement {
                    checker: "workload".into(),
                    verdict: Verdict::unknown(format!("no checker could be chosen: {e}")),
                    explanation: e.to_string(),
                    evidence: Evidence::None,
                }],
                witness: Err(NoWitness::NotInvalid),
            }
        }
    };
    let composed = checkers.check(history);
    let witness = checkers.witness(history, &composed);
    let judgements = match composed.evidence {
        Evidence::Composed(parts) => parts,
        _ => vec![composed],
    };
    Checked {
        judgements,
        witness,
    }
}
