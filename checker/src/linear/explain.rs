//! Explanations of verdicts: data first (serialisable), rendered in words by `Display`.

use super::fast::Because;
use histories::{Call, Outcome, Process};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// One call as an explanation shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallView {
    /// The call's id (index in `History::calls()`).
    pub call: usize,
    /// Who made it.
    pub process: Process,
    /// What it did, in the model's words ("read of 3").
    pub action: String,
    /// Whether it only observed the object (a read).
    pub read: bool,
    /// How it ended.
    pub outcome: Outcome,
    /// Index of its invocation op.
    pub invoke_index: u64,
    /// Time of its invocation (ns).
    pub invoke_time: u64,
    /// Time of its completion (ns), when it completed.
    pub complete_time: Option<u64>,
}

impl CallView {
    /// The view of `call`, described as `action`; `read` when it only observed the object.
    pub fn new(call: &Call, action: String, read: bool) -> CallView {
        CallView {
            call: call.id,
            process: call.process,
            action,
            read,
            outcome: call.outcome,
            invoke_index: call.invoke_index,
            invoke_time: call.invoke_time,
            complete_time: call.complete_time,
        }
    }
}

impl fmt::Display for CallView {
    /// "read of 3 by process 7 at 1.204 s (op 12)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{} by process {} at {} (op {})",
            if self.outcome == Outcome::Info {
                "indeterminate "
            } else {
                ""
            },
            self.action,
            self.process,
            histories::time::in_words(self.invoke_time),
            self.invoke_index
        )
    }
}

/// One step of a cycle: this call must take effect before the next one, because ...
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleStep {
    /// The call.
    pub call: CallView,
    /// Why it precedes the next call of the cycle (the last precedes the first).
    pub because: Because,
}

/// Why one key's calls have no linearisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Explanation {
    /// The search's deepest point: after the longest partial linearisation, this call could not
    /// take effect in any state the object could be in.
    Unplaceable {
        /// The call that could not be placed.
        call: CallView,
        /// "the register", "the mutex", ...
        object: String,
        /// States the object could be in when the call had to take effect.
        possible_states: Vec<String>,
        /// The longest partial linearisation found, in order.
        longest: Vec<CallView>,
        /// The state after it.
        state_after_longest: String,
    },
    /// A call observed a value that no call wrote (registers with distinct written values).
    NeverWritten {
        /// The reading call.
        call: CallView,
        /// The value.
        value: String,
    },
    /// Two successful cas replaced the same value, which was written only once.
    TwoCasFrom {
        /// One cas.
        first: CallView,
        /// The other.
        second: CallView,
        /// The value both replaced.
        value: String,
    },
    /// Calls each of which must take effect before the next, the last before the first.
    Cycle {
        /// The cycle.
        steps: Vec<CycleStep>,
    },
    /// Two values (each with the cas chain after it) need the register over overlapping spans of
    /// time, and a register holds one value at a time.
    OverlappingSpans {
        /// The value that must stay current over its whole span.
        outer: Box<SpanView>,
        /// The value that needs part of that span.
        inner: Box<SpanView>,
        /// True when the inner value, too, must stay current over its whole span; otherwise it
        /// needs one moment of it.
        inner_forward: bool,
    },
}

/// The span of time over which a value is needed: from before one call completed until after
/// another was invoked (a forward span), or some moment between an invocation and a completion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanView {
    /// The value (the first of its cas chain).
    pub value: String,
    /// The call of that value that completed first; `None` for the initial value.
    pub completes: Option<CallView>,
    /// The call of that value invoked last.
    pub invoked: CallView,
}

impl SpanView {
    fn forward(&self) -> String {
        match &self.completes {
            Some(c) => format!(
                "{} must stay current from before {c} completed until after {} was invoked",
                self.value, self.invoked
            ),
            None => format!(
                "{} (the initial value) must stay current until after {} was invoked",
                self.value, self.invoked
            ),
        }
    }
}

impl Explanation {
    /// Whether a read is what failed: a read that could not be placed, or one that returned a
    /// value another write had already replaced before it began.
    pub fn is_stale_read(&self) -> bool {
        match self {
            Explanation::Unplaceable { call, .. } => call.read,
            Explanation::OverlappingSpans {
                outer,
                inner,
                inner_forward,
            } => stale_read(outer, inner, *inner_forward).is_some(),
            _ => false,
        }
    }
}

/// Overlapping spans that are a stale read, in a sentence: a read returned a value that another
/// write had already replaced before the read began. `None` when the spans are another shape
/// (the outer span does not end in a read, or the inner value is the initial one).
fn stale_read(outer: &SpanView, inner: &SpanView, inner_forward: bool) -> Option<String> {
    let completes = inner.completes.as_ref()?;
    if !outer.invoked.read {
        return None;
    }
    let after = match &outer.completes {
        Some(c) => format!("after {c} had written {}", outer.value),
        None => format!("while {} was still the initial value", outer.value),
    };
    let why = if inner_forward {
        format!(
            "{} had to be current from the end of {completes} until {} began, {after}",
            inner.value, inner.invoked
        )
    } else if inner.invoked.call == completes.call {
        format!("{completes} began {after} and completed before the read began")
    } else {
        format!(
            "{} was invoked {after}, and {completes} completed before the read began",
            inner.invoked
        )
    };
    Some(format!(
        "stale read: {} returned {}, but {} had replaced it before the read began: {why}",
        outer.invoked, outer.value, inner.value
    ))
}

/// How many calls of the longest partial linearisation `Display` shows.
const SHOWN: usize = 8;

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Explanation::Unplaceable {
                call,
                object,
                possible_states,
                longest,
                state_after_longest,
            } => {
                write!(f, "{call} could not be placed: {object} could only be ")?;
                match possible_states.as_slice() {
                    [] => write!(f, "{state_after_longest}")?,
                    [one] => write!(f, "{one}")?,
                    [init @ .., last] => write!(f, "{} or {last}", init.join(", "))?,
                }
                write!(
                    f,
                    " then.\n  Longest partial linearisation ({} calls",
                    longest.len()
                )?;
                if longest.len() > SHOWN {
                    write!(f, ", last {SHOWN} shown")?;
                }
                writeln!(f, "), leaving {object} at {state_after_longest}:")?;
                let skip = longest.len().saturating_sub(SHOWN);
                for (k, c) in longest.iter().enumerate().skip(skip) {
                    writeln!(f, "    {}. {c}", k + 1)?;
                }
                Ok(())
            }
            Explanation::NeverWritten { call, value } => {
                writeln!(f, "{call} observed {value}, which no call wrote")
            }
            Explanation::TwoCasFrom {
                first,
                second,
                value,
            } => {
                writeln!(
                    f,
                    "{first} and {second} both replaced {value}, which was written only once"
                )
            }
            Explanation::OverlappingSpans {
                outer,
                inner,
                inner_forward,
            } => {
                if let Some(sentence) = stale_read(outer, inner, *inner_forward) {
                    writeln!(f, "{sentence}")
                } else if *inner_forward {
                    writeln!(
                        f,
                        "{}, and {}: the spans overlap, but a register holds one value at a time",
                        outer.forward(),
                        inner.forward()
                    )
                } else {
                    let completes = inner
                        .completes
                        .as_ref()
                        .map_or_else(|| "the start".to_string(), |c| format!("{c} completed"));
                    writeln!(
                        f,
                        "{} must be current at some moment after {} was invoked and before {completes}, but {}",
                        inner.value,
                        inner.invoked,
                        outer.forward()
                    )
                }
            }
            Explanation::Cycle { steps } => {
                writeln!(
                    f,
                    "these calls cannot be ordered; each must take effect before the next:"
                )?;
                for (k, s) in steps.iter().enumerate() {
                    writeln!(
                        f,
                        "    {}. {} — before the next, as {}",
                        k + 1,
                        s.call,
                        s.because.words()
                    )?;
                }
                Ok(())
            }
        }
    }
}

/// An invalid key and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyFailure {
    /// The key (`null` for an unpartitioned history).
    pub key: Value,
    /// Why.
    pub explanation: Explanation,
}

impl fmt::Display for KeyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.key.is_null() {
            write!(f, "key {}: ", self.key)?;
        }
        write!(f, "{}", self.explanation)
    }
}
