//! Verdicts and how they compose.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a checker concluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Verdict {
    /// The history satisfies the property.
    Valid,
    /// The history violates the property.
    Invalid,
    /// The checker could not decide (time or memory budget, empty history, ...).
    Unknown {
        /// Why, in words.
        reason: String,
    },
}

impl Verdict {
    /// An Unknown verdict with this reason.
    pub fn unknown(reason: impl Into<String>) -> Verdict {
        Verdict::Unknown {
            reason: reason.into(),
        }
    }

    /// The more severe of two verdicts: Invalid > Unknown > Valid. Of two Unknowns the first
    /// reason is kept.
    pub fn merge(self, other: Verdict) -> Verdict {
        if self.rank() >= other.rank() {
            self
        } else {
            other
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Verdict::Valid => 0,
            Verdict::Unknown { .. } => 1,
            Verdict::Invalid => 2,
        }
    }

    /// The process exit code rift documents for this verdict: 0 valid, 1 invalid, 2 unknown.
    pub fn exit_code(&self) -> i32 {
        match self {
            Verdict::Valid => 0,
            Verdict::Invalid => 1,
            Verdict::Unknown { .. } => 2,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Valid => f.write_str("valid"),
            Verdict::Invalid => f.write_str("invalid"),
            Verdict::Unknown { reason } => write!(f, "unknown ({reason})"),
        }
    }
}

impl FromIterator<Verdict> for Verdict {
    /// Merges every verdict; an empty iterator gives Unknown, never Valid.
    fn from_iter<I: IntoIterator<Item = Verdict>>(iter: I) -> Verdict {
        iter.into_iter()
            .reduce(Verdict::merge)
            .unwrap_or_else(|| Verdict::unknown("nothing was checked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_outranks_unknown_which_outranks_valid() {
        let u = Verdict::unknown("timeout");
        assert_eq!(Verdict::Valid.merge(u.clone()), u);
        assert_eq!(u.clone().merge(Verdict::Invalid), Verdict::Invalid);
        assert_eq!(Verdict::Invalid.merge(Verdict::Valid), Verdict::Invalid);
    }

    #[test]
    fn merging_nothing_is_unknown_not_valid() {
        let v: Verdict = std::iter::empty().collect();
        assert!(matches!(v, Verdict::Unknown { .. }));
    }
}
