//! Models: sequential specifications as pure step functions.
//!
//! A [`Model`] turns each [`Call`] of a history into an *action* (what the call asked and what it
//! observed), and says whether an action is legal in a state and what state follows:
//! `step(&state, &action) -> Result<State, Inconsistent>`. Models may partition calls by key
//! (P-compositionality): the history is linearizable iff every key's sub-history is. States and
//! actions are described in words for explanations.
//!
//! The catalogue: [`register`] (register and cas-register, per key when calls carry keys; this is
//! also the `kv` model), [`multi_register`], [`mutex`], [`append_kv`], [`set`], [`counter`] and
//! [`booking`]. [`ModelSpec`] names them for the command line. [`text`] is append-kv's shared
//! string, built in O(1) per append.

pub mod append_kv;
pub mod booking;
pub mod counter;
pub mod datum;
pub mod multi_register;
pub mod mutex;
pub mod register;
pub mod set;
pub mod spec;
pub mod text;

pub use datum::Datum;
pub use spec::{FailSemantics, ModelSpec};

use crate::CheckError;
use histories::Call;
use std::fmt::Debug;
use std::hash::Hash;

/// What an action left in the object, and what it saw there that some call must have left: a
/// witness never removes a call from under a call that observed its effect.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Traces {
    /// Values it saw, each of which some call must have put there (never the initial state);
    /// `None`: something, whatever it was (a refused booking saw the room held).
    pub saw: Vec<Option<Datum>>,
    /// Values it put there.
    pub put: Vec<Datum>,
}

/// An action is not legal in a state. Carries nothing: the search tries millions of steps, and
/// explanations are built afterwards from [`Model::describe_state`] and [`Model::describe_action`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inconsistent;

/// A sequential specification.
pub trait Model: Send + Sync {
    /// The object's state.
    type State: Clone + Eq + Hash + Send + Sync + Debug;
    /// What one call asks of the object and what it observed. Calls with equal actions that may
    /// never take effect are interchangeable once invoked (the search counts them, see
    /// [`crate::linear::search`]).
    type Action: Clone + Eq + Hash + Send + Sync + Debug;

    /// The model's name, as on the command line.
    fn name(&self) -> &'static str;

    /// What the object is called in explanations ("the register", "the mutex").
    fn object(&self) -> &'static str;

    /// The initial state of every partition.
    fn init(&self) -> Self::State;

    /// The action of a call, or `None` when the call constrains nothing and has no effect (a read
    /// of unknown value, an info read, a failed op under Knossos semantics, ...).
    ///
    /// Under [`FailSemantics::Knossos`] fail calls never reach a model: the search drops them.
    fn action(
        &self,
        call: &Call,
        semantics: FailSemantics,
    ) -> Result<Option<Self::Action>, CheckError>;

    /// The state after `action`, or [`Inconsistent`] when the action is illegal in `state`.
    fn step(&self, state: &Self::State, action: &Self::Action)
        -> Result<Self::State, Inconsistent>;

    /// The partition a call belongs to; calls of different partitions are independent. By
    /// default, its key.
    fn partition(&self, call: &Call) -> Option<Datum> {
        call.key.as_ref().map(Datum::from)
    }

    /// A state in words ("3", "held", "free").
    fn describe_state(&self, state: &Self::State) -> String;

    /// An action in words ("read of 3", "cas from 1 to 2").
    fn describe_action(&self, action: &Self::Action) -> String;

    /// True when the action never changes the state wherever it is legal (a read). The search
    /// linearises such calls greedily. By default, false.
    fn is_read_only(&self, _action: &Self::Action) -> bool {
        false
    }

    /// False only when no sequence of the `pending` actions (in any order, each as often as the
    /// model likes) can take `state` to one where `target` is legal; the search then abandons the
    /// configuration. `pending` holds the actions of the calls still to linearise that may take
    /// effect before `target` (those invoked before it completes); calls with equal actions that
    /// may never take effect are given once for all. The search asks this of every pending call
    /// that must take effect, often, so it should be cheap. Must never answer false wrongly; by
    /// default, true.
    fn can_reach(
        &self,
        _state: &Self::State,
        _target: &Self::Action,
        _pending: &mut dyn Iterator<Item = &Self::Action>,
    ) -> bool {
        true
    }

    /// Whether `action` only observes the object (a read, an availability check): summaries call a
    /// read that cannot be placed a stale read. By default no action is a read.
    fn is_read(&self, _action: &Self::Action) -> bool {
        false
    }

    /// What `action` saw and left (see [`Traces`]); by default nothing, and then a witness
    /// keeps no call for the sake of another's observation.
    fn traces(&self, _action: &Self::Action) -> Traces {
        Traces::default()
    }
}

/// The value a completed call observed: its result for an ok call, nothing for others.
pub(crate) fn observed(call: &Call) -> Option<&serde_json::Value> {
    (call.outcome == histories::Outcome::Ok).then_some(&call.result)
}

/// True when the call's error says it timed out (Jepsen's `:timed-out`).
pub(crate) fn timed_out(call: &Call) -> bool {
    call.error.as_ref().is_some_and(|e| {
        e.as_str()
            .is_some_and(|s| s.contains("timed-out") || s.contains("timeout"))
    })
}
