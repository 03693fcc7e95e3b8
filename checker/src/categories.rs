//! Anomalies by category, for tables and summaries: "stale read x12, double booking x3, lost
//! write x40". Each checker's typed evidence says what it found; this names each finding by what
//! a reader would call it and counts them.

use crate::checkers::{Evidence, Judgement};
use crate::invariants::bank::BankViolationKind;
use crate::invariants::set::ElementOutcome;
use crate::linear::{Explanation, KeyFailure};
use std::collections::BTreeMap;
use std::fmt;

/// How many anomalies of each category a judgement found, by category name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Categories(pub BTreeMap<String, usize>);

impl Categories {
    fn add(&mut self, category: &str, n: usize) {
        if n > 0 {
            *self.0.entry(category.to_string()).or_default() += n;
        }
    }

    /// Every category found in `judgements` (those of a composition's parts included).
    pub fn of_all<'a>(judgements: impl IntoIterator<Item = &'a Judgement>) -> Categories {
        let mut c = Categories::default();
        for j in judgements {
            c.count(&j.evidence);
        }
        c
    }

    fn count(&mut self, evidence: &Evidence) {
        match evidence {
            Evidence::Linear(r) => r.invalid.iter().for_each(|f| self.add(linear(f), 1)),
            Evidence::Txn(r) => r
                .counts
                .iter()
                .for_each(|(kind, n)| self.add(kind.name(), *n)),
            Evidence::Convergence(r) => {
                self.add("divergent replica", r.differences.len());
                self.add("lost write", r.missing.len());
            }
            Evidence::Booking(r) => r
                .violations
                .iter()
                .for_each(|v| self.add(v.kind.words(), 1)),
            Evidence::Set(r) => {
                for (outcome, n) in &r.counts {
                    match outcome {
                        ElementOutcome::Lost => self.add("lost write", *n),
                        ElementOutcome::Stale => self.add("stale read", *n),
                        ElementOutcome::Duplicated => self.add("duplicated element", *n),
                        ElementOutcome::Stable | ElementOutcome::NeverRead => {}
                    }
                }
            }
            Evidence::Counter(r) => self.add("counter read out of bounds", r.violations.len()),
            Evidence::Bank(r) => {
                for (kind, n) in &r.counts {
                    self.add(
                        match kind {
                            BankViolationKind::WrongTotal => "wrong total",
                            BankViolationKind::NegativeBalance => "negative balance",
                            BankViolationKind::UnexpectedAccount => "unexpected account",
                            BankViolationKind::MissingAccount => "missing account",
                            BankViolationKind::NilBalance => "nil balance",
                            BankViolationKind::ImpossibleBalance => "impossible balance",
                        },
                        *n,
                    )
                }
            }
            Evidence::Composed(parts) => parts.iter().for_each(|j| self.count(&j.evidence)),
            Evidence::None => {}
        }
    }
}

/// A linearizability failure's category: what the call that could not be placed did.
fn linear(f: &KeyFailure) -> &'static str {
    match &f.explanation {
        e if e.is_stale_read() => "stale read",
        Explanation::Unplaceable { .. } => "unplaceable update",
        Explanation::NeverWritten { .. } => "read of a value never written",
        Explanation::TwoCasFrom { .. } => "two cas from one write",
        Explanation::OverlappingSpans { .. } | Explanation::Cycle { .. } => "impossible order",
    }
}

impl fmt::Display for Categories {
    /// "stale read x12, double booking x3"; "none" when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let parts: Vec<String> = self.0.iter().map(|(c, n)| format!("{c} x{n}")).collect();
        f.write_str(&parts.join(", "))
    }
}
