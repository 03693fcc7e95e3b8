//! Checkers as values: the [`Checker`] trait every property implements, its [`Judgement`], and
//! [`Compose`], which runs several checkers on one history and merges their verdicts (Jepsen's
//! `checker/compose`).
//!
//! A checker owns its options (model, time limit, consistency model) and judges a whole history;
//! it never fails: a history it cannot judge is [`Verdict::Unknown`] with the reason, never
//! Valid. A judgement keeps the checker's typed report as its [`Evidence`], which reports draw
//! from and which serialises as the stored `details`.

use crate::convergence::{self, ConvergenceOptions, ConvergenceReport};
use crate::invariants::{bank, booking, counter, set};
use crate::linear::{self, Options};
use crate::model::ModelSpec;
use crate::txn::{self, TxnOptions, TxnReport};
use crate::witness::{self, NoWitness, Witness};
use crate::{CheckError, Verdict};
use histories::History;
use serde::Serialize;

/// Judges a whole history for one property.
pub trait Checker: Send + Sync {
    /// The checker's name as results show it, e.g. `linearizable (cas-register)`.
    fn name(&self) -> String;

    /// Judges `history`; a history that cannot be judged is Unknown with the reason.
    fn check(&self, history: &History) -> Judgement;

    /// The invalid `judgement` of `history` (by this checker) shrunk to a small sub-history that
    /// shows the same anomaly on the same ops (see [`crate::witness`]); or why there is none.
    fn witness(&self, _history: &History, judgement: &Judgement) -> Result<Witness, NoWitness> {
        if judgement.verdict != Verdict::Invalid {
            return Err(NoWitness::NotInvalid);
        }
        Err(NoWitness::NotOffered {
            checker: self.name(),
        })
    }
}

/// One checker's conclusion about a history.
#[derive(Debug, Clone, Serialize)]
pub struct Judgement {
    /// The checker's name.
    pub checker: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// The verdict in words: what was checked, and for an invalid verdict every anomaly found.
    pub explanation: String,
    /// The checker's report, as data.
    pub evidence: Evidence,
}

/// The typed report behind a judgement.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Evidence {
    /// Linearizability, per key.
    Linear(Box<linear::Report>),
    /// Transactional dependency graphs and their anomalies.
    Txn(Box<TxnReport>),
    /// Replicas' final states after the heal.
    Convergence(Box<ConvergenceReport>),
    /// The booking ledger's invariants.
    Booking(Box<booking::BookingReport>),
    /// Set-full's fate of every element.
    Set(Box<set::SetReport>),
    /// The counter's bounds.
    Counter(Box<counter::CounterReport>),
    /// The bank's balances.
    Bank(Box<bank::BankReport>),
    /// The judgements of the checkers a [`Compose`] ran.
    Composed(Vec<Judgement>),
    /// Nothing beyond the explanation (the checker could not run).
    None,
}

impl Judgement {
    /// The judgement of a checker that could not run on this history: Unknown, with the reason.
    pub fn could_not_run(checker: String, why: &CheckError) -> Judgement {
        Judgement {
            checker,
            verdict: Verdict::unknown(format!("the checker could not run: {why}")),
            explanation: why.to_string(),
            evidence: Evidence::None,
        }
    }

    /// The evidence as JSON (`null` when there is none).
    pub fn details(&self) -> serde_json::Value {
        serde_json::to_value(&self.evidence).unwrap_or_default()
    }
}

/// Several checkers run on the same history; the verdict is the most severe of theirs (Invalid
/// > Unknown > Valid), and Unknown when there are none.
#[derive(Default)]
pub struct Compose {
    checkers: Vec<Box<dyn Checker>>,
}

impl Compose {
    /// No checkers yet.
    pub fn new() -> Compose {
        Compose::default()
    }

    /// Adds `checker`, run after those added before it.
    pub fn with(mut self, checker: impl Checker + 'static) -> Compose {
        self.checkers.push(Box::new(checker));
        self
    }

    /// Adds a boxed checker.
    pub fn push(&mut self, checker: Box<dyn Checker>) {
        self.checkers.push(checker);
    }

    /// Every checker's judgement, in the order they were added.
    pub fn judge(&self, history: &History) -> Vec<Judgement> {
        self.checkers.iter().map(|c| c.check(history)).collect()
    }
}

impl Checker for Compose {
    fn name(&self) -> String {
        let names: Vec<String> = self.checkers.iter().map(|c| c.name()).collect();
        format!("compose [{}]", names.join(", "))
    }

    fn check(&self, history: &History) -> Judgement {
        let parts = self.judge(history);
        let verdict: Verdict = parts.iter().map(|j| j.verdict.clone()).collect();
        let explanation = parts
            .iter()
            .map(|j| format!("{}: {}", j.checker, j.verdict))
            .collect::<Vec<_>>()
            .join("; ");
        Judgement {
            checker: self.name(),
            verdict,
            explanation,
            evidence: Evidence::Composed(parts),
        }
    }

    /// The witness of the first invalid part that has one.
    fn witness(&self, history: &History, judgement: &Judgement) -> Result<Witness, NoWitness> {
        let Evidence::Composed(parts) = &judgement.evidence else {
            return Err(NoWitness::NotInvalid);
        };
        let mut why = NoWitness::NotInvalid;
        for (checker, part) in self.checkers.iter().zip(parts) {
            if part.verdict == Verdict::Invalid {
                match checker.witness(history, part) {
                    Ok(w) => return Ok(w),
                    Err(e) => why = e,
                }
            }
        }
        Err(why)
    }
}

/// Linearizability against a model, key by key.
pub struct Linearizable {
    /// The model.
    pub spec: ModelSpec,
    /// Budgets and semantics.
    pub options: Options,
}

impl Linearizable {
    /// Linearizability against `spec`, Unknown after `time_limit`.
    pub fn within(spec: ModelSpec, time_limit: std::time::Duration) -> Linearizable {
        Linearizable {
            spec,
            options: Options {
                time_limit: Some(time_limit),
                ..Options::default()
            },
        }
    }
}

impl Checker for Linearizable {
    fn name(&self) -> String {
        format!("linearizable ({})", self.spec.kind.name())
    }

    fn check(&self, history: &History) -> Judgement {
        let report = match linear::check_history(history, &self.spec, &self.options) {
            Ok(r) => r,
            Err(e) => return Judgement::could_not_run(self.name(), &e),
        };
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
        Judgement {
            checker: format!("linearizable ({})", report.model),
            verdict: report.verdict.clone(),
            explanation,
            evidence: Evidence::Linear(Box::new(report)),
        }
    }

    fn witness(&self, history: &History, judgement: &Judgement) -> Result<Witness, NoWitness> {
        match &judgement.evidence {
            Evidence::Linear(report) if judgement.verdict == Verdict::Invalid => {
                linear::witness::witness(history, &self.spec, &self.options, report)
            }
            _ => Err(NoWitness::NotInvalid),
        }
    }
}

/// Transactional isolation: Elle-style dependency graphs against a consistency model.
pub struct Transactions {
    /// The workload, consistency model and budgets.
    pub options: TxnOptions,
}

impl Checker for Transactions {
    fn name(&self) -> String {
        "transactions".into()
    }

    fn check(&self, history: &History) -> Judgement {
        match txn::check(history, &self.options) {
            Ok(report) => Judgement {
                checker: format!("transactions ({})", report.model),
                verdict: report.verdict.clone(),
                explanation: report.to_string(),
                evidence: Evidence::Txn(Box::new(report)),
            },
            Err(e) => Judgement::could_not_run(self.name(), &e),
        }
    }

    fn witness(&self, history: &History, judgement: &Judgement) -> Result<Witness, NoWitness> {
        match &judgement.evidence {
            Evidence::Txn(report) if judgement.verdict == Verdict::Invalid => {
                witness::txn::witness(history, &self.options, report)
            }
            _ => Err(NoWitness::NotInvalid),
        }
    }
}

/// A judgement from a report that carries its verdict and explains itself by `Display`.
fn judged<R: std::fmt::Display>(
    checker: &str,
    report: Result<R, CheckError>,
    verdict: impl Fn(&R) -> Verdict,
    evidence: impl Fn(R) -> Evidence,
) -> Judgement {
    match report {
        Ok(r) => Judgement {
            checker: checker.to_string(),
            verdict: verdict(&r),
            explanation: r.to_string(),
            evidence: evidence(r),
        },
        Err(e) => Judgement::could_not_run(checker.to_string(), &e),
    }
}

/// Eventual convergence after the final heal.
pub struct Convergence {
    /// The kind of state the replicas hold.
    pub options: ConvergenceOptions,
}

impl Checker for Convergence {
    fn name(&self) -> String {
        "convergence".into()
    }

    fn check(&self, history: &History) -> Judgement {
        judged(
            "convergence",
            convergence::check(history, &self.options),
            |r| r.verdict.clone(),
            |r| Evidence::Convergence(Box::new(r)),
        )
    }
}

/// The booking ledger: no room held by two guests, no refusal of a free room.
pub struct BookingInvariants;

impl Checker for BookingInvariants {
    fn name(&self) -> String {
        "booking invariants".into()
    }

    fn check(&self, history: &History) -> Judgement {
        judged(
            "booking invariants",
            booking::check(history),
            |r| r.verdict.clone(),
            |r| Evidence::Booking(Box::new(r)),
        )
    }

    fn witness(&self, history: &History, judgement: &Judgement) -> Result<Witness, NoWitness> {
        match &judgement.evidence {
            Evidence::Booking(report) if judgement.verdict == Verdict::Invalid => {
                witness::invariants::booking(history, report)
            }
            _ => Err(NoWitness::NotInvalid),
        }
    }
}

/// Set-full: every acknowledged add is read, and stays read.
pub struct SetInvariants {
    /// What counts as lost or stale.
    pub options: set::SetOptions,
}

impl Checker for SetInvariants {
    fn name(&self) -> String {
        "set invariants".into()
    }

    fn check(&self, history: &History) -> Judgement {
        judged(
            "set invariants",
            set::check(history, &self.options),
            |r| r.verdict.clone(),
            |r| Evidence::Set(Box::new(r)),
        )
    }

    fn witness(&self, history: &History, judgement: &Judgement) -> Result<Witness, NoWitness> {
        match &judgement.evidence {
            Evidence::Set(report) if judgement.verdict == Verdict::Invalid => {
                witness::invariants::set(history, &self.options, report)
            }
            _ => Err(NoWitness::NotInvalid),
        }
    }
}

/// A counter's reads lie between the acknowledged and the attempted increments.
pub struct CounterInvariants;

impl Checker for CounterInvariants {
    fn name(&self) -> String {
        "counter invariants".into()
    }

    fn check(&self, history: &History) -> Judgement {
        judged(
            "counter invariants",
            counter::check(history),
            |r| r.verdict.clone(),
            |r| Evidence::Counter(Box::new(r)),
        )
    }

    fn witness(&self, history: &History, judgement: &Judgement) -> Result<Witness, NoWitness> {
        match &judgement.evidence {
            Evidence::Counter(report) if judgement.verdict == Verdict::Invalid => {
                witness::invariants::counter(history, report)
            }
            _ => Err(NoWitness::NotInvalid),
        }
    }
}

/// A bank's reads: the initial total, no negative balance where forbidden, every balance one
/// the transfers allow.
pub struct BankInvariants {
    /// The accounts and how strict to be.
    pub options: bank::BankOptions,
}

impl Checker for BankInvariants {
    fn name(&self) -> String {
        "bank invariants".into()
    }

    fn check(&self, history: &History) -> Judgement {
        judged(
            "bank invariants",
            bank::check(history, &self.options),
            |r| r.verdict.clone(),
            |r| Evidence::Bank(Box::new(r)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use histories::{Op, OpType, Process};
    use serde_json::json;

    fn op(index: u64, process: u64, kind: OpType, f: &str, value: serde_json::Value) -> Op {
        Op::new(index, index, Process::Client(process), kind, f, value)
    }

    /// A register written 1, then read as 0 by a read that began after the write completed.
    fn stale_read() -> History {
        History::from_ops(vec![
            op(0, 0, OpType::Invoke, "write", json!(1)),
            op(1, 0, OpType::Ok, "write", json!(1)),
            op(2, 1, OpType::Invoke, "read", json!(null)),
            op(3, 1, OpType::Ok, "read", json!(0)),
        ])
    }

    fn register() -> Linearizable {
        Linearizable {
            spec: ModelSpec::new(crate::model::spec::ModelKind::CasRegister),
            options: Options::default(),
        }
    }

    #[test]
    fn a_composition_is_as_invalid_as_its_worst_checker() {
        let composed = Compose::new()
            .with(register())
            .with(CounterInvariants)
            .check(&stale_read());
        assert_eq!(composed.verdict, Verdict::Invalid);
        let Evidence::Composed(parts) = &composed.evidence else {
            panic!(
                "a composition's evidence is its parts: {:?}",
                composed.evidence
            );
        };
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].verdict, Verdict::Invalid);
        assert!(
            composed.explanation.contains("linearizable"),
            "{}",
            composed.explanation
        );
    }

    #[test]
    fn an_empty_composition_is_unknown_never_valid() {
        let j = Compose::new().check(&stale_read());
        assert!(
            matches!(j.verdict, Verdict::Unknown { .. }),
            "{:?}",
            j.verdict
        );
    }

    #[test]
    fn a_checker_that_cannot_read_the_history_is_unknown_with_the_reason() {
        // A completion with no invocation before it cannot be paired into a call.
        let garbled = History::from_ops(vec![op(0, 0, OpType::Ok, "txn", json!([]))]);
        let j = Transactions {
            options: TxnOptions::default(),
        }
        .check(&garbled);
        let Verdict::Unknown { reason } = &j.verdict else {
            panic!("{:?}", j.verdict);
        };
        assert!(reason.contains("could not run"), "{reason}");
        assert!(j.details().is_null());
    }
}
