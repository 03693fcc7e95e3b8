//! Hotel-room booking, one room per key.
//!
//! Encoding (what the runner records for the booking workload):
//! - the op's `key` is the room (any JSON value); calls are partitioned by room;
//! - `book`: invoke value = the guest (any JSON value but `true`/`false`/`null`).
//!   Completion `ok` with value `true` or the guest itself: the room was free and is now the
//!   guest's. `ok` with value `false`: refused because the room was held (by anyone, the guest
//!   included). `fail`: no effect (dropped).
//! - `cancel`: invoke value = the guest. `ok` with `true`: that guest held the room and it is now
//!   free. `ok` with `false`: that guest did not hold it (no change). `ok` with anything else (the
//!   guest, `null`): frees the room if that guest held it, otherwise no change.
//! - `available`: invoke value `null`; `ok` value `null` = the room was free, otherwise the guest
//!   who held it. A read of unknown outcome (info) constrains nothing.

use super::{observed, Datum, FailSemantics, Inconsistent, Model, Traces};
use crate::CheckError;
use histories::{Call, Outcome};
use serde_json::Value;

/// Rooms that at most one guest holds at a time.
#[derive(Debug, Clone, Default)]
pub struct Booking;

/// What a booking call did to its room.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BookingAction {
    /// The guest booked the free room.
    Book(Datum),
    /// The booking was refused: the room was held.
    BookRefused(Datum),
    /// The guest, who held the room, freed it.
    Cancel(Datum),
    /// The guest did not hold the room; nothing changed.
    CancelRefused(Datum),
    /// Frees the room if the guest held it; otherwise nothing (outcome not reported).
    CancelIfHeld(Datum),
    /// Observed the room free (`None`) or held by the guest.
    Available(Option<Datum>),
}

impl Model for Booking {
    type State = Option<Datum>;
    type Action = BookingAction;

    fn name(&self) -> &'static str {
        "booking"
    }

    fn object(&self) -> &'static str {
        "the room"
    }

    fn init(&self) -> Option<Datum> {
        None
    }

    fn action(
        &self,
        call: &Call,
        _sem: FailSemantics,
    ) -> Result<Option<BookingAction>, CheckError> {
        if call.outcome == Outcome::Fail {
            return Ok(None);
        }
        let guest = Datum::from(&call.argument);
        let result = observed(call);
        match call.f.as_str() {
            "book" => Ok(Some(match result {
                Some(Value::Bool(false)) => BookingAction::BookRefused(guest),
                _ => BookingAction::Book(guest),
            })),
            "cancel" => Ok(Some(match result {
                Some(Value::Bool(true)) => BookingAction::Cancel(guest),
                Some(Value::Bool(false)) => BookingAction::CancelRefused(guest),
                _ => BookingAction::CancelIfHeld(guest),
            })),
            "available" => Ok(
                result.map(|v| BookingAction::Available((!v.is_null()).then(|| Datum::from(v))))
            ),
            f => Err(CheckError::bad_call(
                call,
                format!("the booking model knows book, cancel and available; found {f:?}"),
            )),
        }
    }

    fn step(
        &self,
        holder: &Option<Datum>,
        action: &BookingAction,
    ) -> Result<Option<Datum>, Inconsistent> {
        use BookingAction::*;
        match (action, holder) {
            (Book(g), None) => Ok(Some(g.clone())),
            (BookRefused(_), Some(_)) => Ok(holder.clone()),
            (Cancel(g), Some(h)) if g == h => Ok(None),
            (CancelRefused(g), h) if h.as_ref() != Some(g) => Ok(holder.clone()),
            (CancelIfHeld(g), Some(h)) if g == h => Ok(None),
            (CancelIfHeld(_), _) => Ok(holder.clone()),
            (Available(seen), h) if seen == h => Ok(holder.clone()),
            _ => Err(Inconsistent),
        }
    }

    fn is_read_only(&self, action: &BookingAction) -> bool {
        matches!(
            action,
            BookingAction::BookRefused(_)
                | BookingAction::CancelRefused(_)
                | BookingAction::Available(_)
        )
    }

    fn traces(&self, action: &BookingAction) -> Traces {
        use BookingAction::*;
        let (saw, put) = match action {
            Book(g) => (vec![], vec![g.clone()]),
            BookRefused(_) => (vec![None], vec![]),
            Cancel(g) | Available(Some(g)) => (vec![Some(g.clone())], vec![]),
            CancelRefused(_) | CancelIfHeld(_) | Available(None) => (vec![], vec![]),
        };
        Traces { saw, put }
    }

    fn describe_state(&self, holder: &Option<Datum>) -> String {
        match holder {
            None => "free".to_string(),
            Some(g) => format!("held by {g}"),
        }
    }

    fn is_read(&self, action: &BookingAction) -> bool {
        matches!(action, BookingAction::Available(_))
    }

    fn describe_action(&self, action: &BookingAction) -> String {
        use BookingAction::*;
        match action {
            Book(g) => format!("booking by {g}"),
            BookRefused(g) => format!("refused booking by {g}"),
            Cancel(g) => format!("cancellation by {g}"),
            CancelRefused(g) => format!("refused cancellation by {g}"),
            CancelIfHeld(g) => format!("cancellation by {g} (outcome unreported)"),
            Available(None) => "availability check seeing the room free".to_string(),
            Available(Some(g)) => format!("availability check seeing it held by {g}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingAction::*;

    #[test]
    fn a_held_room_cannot_be_booked_again_but_can_be_refused() {
        let m = Booking;
        let held = m.step(&None, &Book("ann".into())).unwrap();
        assert!(m.step(&held, &Book("bob".into())).is_err());
        assert!(m.step(&held, &BookRefused("bob".into())).is_ok());
        assert!(m.step(&None, &BookRefused("bob".into())).is_err());
    }

    #[test]
    fn only_the_holder_frees_the_room() {
        let m = Booking;
        let held = Some(Datum::from("ann"));
        assert_eq!(m.step(&held, &CancelIfHeld("bob".into())), Ok(held.clone()));
        assert!(m.step(&held, &Cancel("bob".into())).is_err());
        assert_eq!(m.step(&held, &Cancel("ann".into())), Ok(None));
    }
}
