//! Witnesses of the invariants checkers: the same violation (the same kind, on the same calls)
//! in a sub-history of the room, set or counter concerned.

use super::{locate, shrink, sub_history, Anomaly, Grounds, NoWitness, Traced, Witness};
use crate::invariants::booking::{self, BookingReport};
use crate::invariants::counter::{self, CounterReport};
use crate::invariants::set::{self, ElementOutcome, SetOptions, SetReport};
use crate::model::{booking::Booking, set::Set, FailSemantics, Model};
use histories::{Call, History, Outcome};
use serde_json::Value;

/// The traces of `calls` (by position) under `model`'s reading of them.
fn traced<M: Model>(model: &M, calls: &[Call], among: &[usize]) -> Vec<Traced> {
    among
        .iter()
        .filter_map(|&c| {
            let action = model.action(&calls[c], FailSemantics::Knossos).ok()??;
            Some(Traced {
                call: c,
                traces: model.traces(&action),
                invoke: calls[c].invoke_index,
                complete: calls[c].complete_index,
            })
        })
        .collect()
}

/// The positions of the calls whose invocation is one of `indices`.
fn at(calls: &[Call], indices: &[u64]) -> Vec<usize> {
    let mut out: Vec<usize> = calls
        .iter()
        .filter(|c| indices.contains(&c.invoke_index))
        .map(|c| c.id)
        .collect();
    out.sort_unstable();
    out
}

/// The witness of the first booking violation: the same kind of violation of the same room on
/// the same calls.
pub fn booking(history: &History, report: &BookingReport) -> Result<Witness, NoWitness> {
    let v = report.violations.first().ok_or(NoWitness::NotInvalid)?;
    let calls = history.calls()?;
    let room: Vec<usize> = calls
        .iter()
        .filter(|c| c.key.as_ref() == Some(&v.room))
        .filter(|c| matches!(c.f.as_str(), "book" | "cancel" | "available"))
        .map(|c| c.id)
        .collect();
    let indices: Vec<u64> = v.calls.iter().map(|c| c.index).collect();
    let focus = at(&calls, &indices);
    let grounds = Grounds::new(&traced(&Booking, &calls, &room));
    let holds = |keep: &[usize]| {
        booking::check(&sub_history(history, &calls, keep)).is_ok_and(|r| {
            r.violations.iter().any(|w| {
                w.kind == v.kind
                    && w.room == v.room
                    && w.calls.iter().map(|c| c.index).collect::<Vec<_>>() == indices
            })
        })
    };
    let (kept, minimal) = shrink(&room, &focus, &grounds, holds)?;
    let sub = sub_history(history, &calls, &kept);
    Ok(Witness {
        anomaly: Anomaly::Booking(Box::new(v.clone())),
        location: locate(&sub, kept.len(), indices, room.len(), minimal),
        history: sub,
    })
}

/// The witness of the first element the set checker found wrong: the same element with the same
/// outcome, shown by the same read.
pub fn set(history: &History, opts: &SetOptions, report: &SetReport) -> Result<Witness, NoWitness> {
    let counted = |o: ElementOutcome| {
        matches!(o, ElementOutcome::Lost | ElementOutcome::Duplicated)
            || (opts.linearizable && o == ElementOutcome::Stale)
    };
    let e = report
        .elements
        .iter()
        .find(|e| counted(e.outcome))
        .ok_or(NoWitness::NotInvalid)?;
    let calls = history.calls()?;
    let key = |c: &Call| c.key.clone().unwrap_or(Value::Null);
    let of_set: Vec<usize> = calls
        .iter()
        .filter(|c| key(c) == e.key && matches!(c.f.as_str(), "add" | "read"))
        .map(|c| c.id)
        .collect();
    let mut indices = vec![e.add.index];
    indices.extend(e.witness.as_ref().map(|w| w.index));
    let focus = at(&calls, &indices);
    let grounds = Grounds::new(&traced(&Set, &calls, &of_set));
    let holds = |keep: &[usize]| {
        set::check(&sub_history(history, &calls, keep), opts).is_ok_and(|r| {
            r.elements.iter().any(|x| {
                x.key == e.key
                    && x.element == e.element
                    && x.outcome == e.outcome
                    && x.witness.as_ref().map(|w| w.index) == e.witness.as_ref().map(|w| w.index)
            })
        })
    };
    let (kept, minimal) = shrink(&of_set, &focus, &grounds, holds)?;
    let sub = sub_history(history, &calls, &kept);
    indices.reverse();
    Ok(Witness {
        anomaly: Anomaly::Set(Box::new(e.clone())),
        location: locate(&sub, kept.len(), indices, of_set.len(), minimal),
        history: sub,
    })
}

/// The witness of the first counter read out of its bounds: the same read, out on the same side.
/// A counter's total does not name the increments it counts, so no call is kept for another's
/// observation: a read too low keeps enough of the increments acknowledged before it, a read
/// too high none but itself.
pub fn counter(history: &History, report: &CounterReport) -> Result<Witness, NoWitness> {
    let v = report.violations.first().ok_or(NoWitness::NotInvalid)?;
    let calls = history.calls()?;
    let too_low = v.value < v.lower;
    let read = at(&calls, &[v.read.index]);
    let Some(&r) = read.first() else {
        return Err(NoWitness::NotReproduced {
            tried: "the read is not in the history".into(),
        });
    };
    // The increments that make the bound it breaks.
    let relevant: Vec<usize> = calls
        .iter()
        .filter(|c| c.f == "add" && c.outcome != Outcome::Fail)
        .filter(|c| {
            if too_low {
                c.outcome == Outcome::Ok && c.complete_time < Some(calls[r].invoke_time)
            } else {
                c.invoke_time < calls[r].complete_time.unwrap_or(u64::MAX)
            }
        })
        .map(|c| c.id)
        .chain([r])
        .collect();
    let holds = |keep: &[usize]| {
        counter::check(&sub_history(history, &calls, keep)).is_ok_and(|x| {
            x.violations
                .iter()
                .any(|w| w.read.index == v.read.index && (w.value < w.lower) == too_low)
        })
    };
    let (kept, minimal) = shrink(&relevant, &read, &Grounds::default(), holds)?;
    let sub = sub_history(history, &calls, &kept);
    Ok(Witness {
        anomaly: Anomaly::Counter(Box::new(v.clone())),
        location: locate(
            &sub,
            kept.len(),
            vec![v.read.index],
            relevant.len(),
            minimal,
        ),
        history: sub,
    })
}
