//! A grow-only set: `add v` inserts v; `read` returns every element (a list, in any order) and is
//! legal iff it is exactly the current set. Initially empty; partitioned by key.

use super::{observed, Datum, FailSemantics, Inconsistent, Model, Traces};
use crate::CheckError;
use histories::{Call, Outcome};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A set with add and read.
#[derive(Debug, Clone, Default)]
pub struct Set;

/// What a set call did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SetAction {
    /// Added an element.
    Add(Datum),
    /// Read the whole set.
    Read(Arc<BTreeSet<Datum>>),
}

impl Model for Set {
    type State = Arc<BTreeSet<Datum>>;
    type Action = SetAction;

    fn name(&self) -> &'static str {
        "set"
    }

    fn object(&self) -> &'static str {
        "the set"
    }

    fn init(&self) -> Self::State {
        Arc::new(BTreeSet::new())
    }

    fn action(&self, call: &Call, _sem: FailSemantics) -> Result<Option<SetAction>, CheckError> {
        if call.outcome == Outcome::Fail {
            return Ok(None);
        }
        match call.f.as_str() {
            "add" => Ok(Some(SetAction::Add(Datum::from(&call.argument)))),
            "read" => match observed(call) {
                Some(v) if v.is_null() => Ok(None),
                Some(v) => match v.as_array() {
                    Some(items) => Ok(Some(SetAction::Read(Arc::new(
                        items.iter().map(Datum::from).collect(),
                    )))),
                    None => Err(CheckError::bad_call(
                        call,
                        format!("a set read returns a list; found {v}"),
                    )),
                },
                None => Ok(None),
            },
            f => Err(CheckError::bad_call(
                call,
                format!("the set model knows add and read; found {f:?}"),
            )),
        }
    }

    fn step(&self, state: &Self::State, action: &SetAction) -> Result<Self::State, Inconsistent> {
        match action {
            SetAction::Add(v) if state.contains(v) => Ok(state.clone()),
            SetAction::Add(v) => {
                let mut next = (**state).clone();
                next.insert(v.clone());
                Ok(Arc::new(next))
            }
            SetAction::Read(seen) if seen == state => Ok(state.clone()),
            SetAction::Read(_) => Err(Inconsistent),
        }
    }

    fn is_read_only(&self, action: &SetAction) -> bool {
        matches!(action, SetAction::Read(_))
    }

    fn traces(&self, action: &SetAction) -> Traces {
        match action {
            SetAction::Add(v) => Traces {
                saw: Vec::new(),
                put: vec![v.clone()],
            },
            SetAction::Read(s) => Traces {
                saw: s.iter().cloned().map(Some).collect(),
                put: Vec::new(),
            },
        }
    }

    fn describe_state(&self, state: &Self::State) -> String {
        let items: Vec<String> = state.iter().map(Datum::to_string).collect();
        format!("#{{{}}}", items.join(" "))
    }

    fn is_read(&self, action: &SetAction) -> bool {
        matches!(action, SetAction::Read(_))
    }

    fn describe_action(&self, action: &SetAction) -> String {
        match action {
            SetAction::Add(v) => format!("add of {v}"),
            SetAction::Read(s) => format!("read of {}", self.describe_state(s)),
        }
    }
}
