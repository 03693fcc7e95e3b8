//! A mutex: `acquire` is legal iff the mutex is free and holds it; `release` is legal iff it is
//! held and frees it. Initially free. Not partitioned unless calls carry keys (one mutex per key).

use super::{Datum, FailSemantics, Inconsistent, Model, Traces};
use crate::CheckError;
use histories::{Call, Outcome};

/// A lock with no owner identity, as in Knossos.
#[derive(Debug, Clone, Default)]
pub struct Mutex;

/// What a mutex call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MutexAction {
    /// Took the lock.
    Acquire,
    /// Gave it back.
    Release,
}

impl Model for Mutex {
    type State = bool;
    type Action = MutexAction;

    fn name(&self) -> &'static str {
        "mutex"
    }

    fn object(&self) -> &'static str {
        "the mutex"
    }

    fn init(&self) -> bool {
        false
    }

    fn action(&self, call: &Call, _sem: FailSemantics) -> Result<Option<MutexAction>, CheckError> {
        if call.outcome == Outcome::Fail {
            return Ok(None);
        }
        match call.f.as_str() {
            "acquire" => Ok(Some(MutexAction::Acquire)),
            "release" => Ok(Some(MutexAction::Release)),
            f => Err(CheckError::bad_call(
                call,
                format!("the mutex model knows acquire and release; found {f:?}"),
            )),
        }
    }

    fn step(&self, held: &bool, action: &MutexAction) -> Result<bool, Inconsistent> {
        match (action, held) {
            (MutexAction::Acquire, false) => Ok(true),
            (MutexAction::Release, true) => Ok(false),
            _ => Err(Inconsistent),
        }
    }

    fn partition(&self, call: &Call) -> Option<Datum> {
        call.key.as_ref().map(Datum::from)
    }

    fn describe_state(&self, held: &bool) -> String {
        if *held { "held" } else { "free" }.to_string()
    }

    fn traces(&self, action: &MutexAction) -> Traces {
        // A release saw the mutex held, which some acquire did.
        match action {
            MutexAction::Acquire => Traces {
                saw: Vec::new(),
                put: vec![Datum::Bool(true)],
            },
            MutexAction::Release => Traces {
                saw: vec![Some(Datum::Bool(true))],
                put: Vec::new(),
            },
        }
    }

    fn describe_action(&self, action: &MutexAction) -> String {
        match action {
            MutexAction::Acquire => "acquire",
            MutexAction::Release => "release",
        }
        .to_string()
    }
}
