//! A counter: `add n` adds the integer n (default 1 when the value is null); `read` returns the
//! total and is legal iff it equals the current total (a read of `null` constrains nothing).
//! Partitioned by key.

use super::{observed, FailSemantics, Inconsistent, Model};
use crate::CheckError;
use histories::{Call, Outcome};

/// An integer counter.
#[derive(Debug, Clone, Default)]
pub struct Counter {
    /// The starting total.
    pub init: i64,
}

/// What a counter call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterAction {
    /// Added this amount.
    Add(i64),
    /// Read this total.
    Read(i64),
}

impl Model for Counter {
    type State = i64;
    type Action = CounterAction;

    fn name(&self) -> &'static str {
        "counter"
    }

    fn object(&self) -> &'static str {
        "the counter"
    }

    fn init(&self) -> i64 {
        self.init
    }

    fn action(
        &self,
        call: &Call,
        _sem: FailSemantics,
    ) -> Result<Option<CounterAction>, CheckError> {
        if call.outcome == Outcome::Fail {
            return Ok(None);
        }
        let int = |v: &serde_json::Value| {
            v.as_i64().ok_or_else(|| {
                CheckError::bad_call(call, format!("counter values are integers; found {v}"))
            })
        };
        match call.f.as_str() {
            "add" | "incr" if call.argument.is_null() => Ok(Some(CounterAction::Add(1))),
            "add" | "incr" => Ok(Some(CounterAction::Add(int(&call.argument)?))),
            "read" => match observed(call) {
                Some(v) if !v.is_null() => Ok(Some(CounterAction::Read(int(v)?))),
                _ => Ok(None),
            },
            f => Err(CheckError::bad_call(
                call,
                format!("the counter model knows add and read; found {f:?}"),
            )),
        }
    }

    fn step(&self, total: &i64, action: &CounterAction) -> Result<i64, Inconsistent> {
        match action {
            CounterAction::Add(n) => Ok(total.wrapping_add(*n)),
            CounterAction::Read(v) if v == total => Ok(*total),
            CounterAction::Read(_) => Err(Inconsistent),
        }
    }

    fn is_read_only(&self, action: &CounterAction) -> bool {
        matches!(action, CounterAction::Read(_) | CounterAction::Add(0))
    }

    fn describe_state(&self, total: &i64) -> String {
        total.to_string()
    }

    fn is_read(&self, action: &CounterAction) -> bool {
        matches!(action, CounterAction::Read(_))
    }

    fn describe_action(&self, action: &CounterAction) -> String {
        match action {
            CounterAction::Add(n) => format!("add of {n}"),
            CounterAction::Read(v) => format!("read of {v}"),
        }
    }
}
