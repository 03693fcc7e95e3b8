//! The booking service's invariants, per room:
//! - **held by two**: no read shows a room held by two guests — neither one read listing two
//!   holders, nor a read showing guest B after an earlier read (completed before it was invoked)
//!   showed guest A, with no cancellation by A invoked before the later read completed;
//! - **double booking**: no two successful bookings of a room without a cancellation between
//!   them (a cancellation by the first guest, not failed and not refused, invoked before the
//!   second booking completed and not completed before the first was invoked; when the two
//!   bookings overlap in time either may have been first, so a cancellation by either guest
//!   that fits between them in that order will do);
//! - **lost booking**: after convergence, every final read of a room (an `available` marked final,
//!   or invoked after the last nemesis op, or without either each node's last one; in every case
//!   invoked after the booking completed) shows the guest of its last successful booking, unless that guest
//!   cancelled (a cancellation not completed before the booking was invoked).
//!
//! Each violation names the calls involved. Encoding: see the [module doc](super).

use super::CallRef;
use crate::{CheckError, Verdict};
use histories::{Call, History, Outcome};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BookingViolationKind {
    /// A read (or two reads in a row) shows the room held by two guests.
    HeldByTwo,
    /// Two successful bookings of the room with no cancellation between them.
    DoubleBooking,
    /// An acknowledged, uncancelled booking is not visible after convergence.
    LostBooking,
}

impl BookingViolationKind {
    /// What a reader calls it: "double booking".
    pub fn words(self) -> &'static str {
        match self {
            BookingViolationKind::HeldByTwo => "room held by two",
            BookingViolationKind::DoubleBooking => "double booking",
            BookingViolationKind::LostBooking => "lost booking",
        }
    }
}

/// One violation, with the calls involved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookingViolation {
    /// What went wrong.
    pub kind: BookingViolationKind,
    /// The room.
    pub room: Value,
    /// The calls involved, in history order.
    pub calls: Vec<CallRef>,
    /// In words.
    pub explanation: String,
}

impl fmt::Display for BookingViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} (room {}): {}",
            self.kind.words(),
            self.room,
            self.explanation
        )?;
        for c in &self.calls {
            writeln!(f, "    {c}")?;
        }
        Ok(())
    }
}

/// The booking verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookingReport {
    /// Invalid when any violation was found; Unknown when there was nothing to check.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Rooms seen.
    pub rooms: usize,
    /// Successful bookings.
    pub bookings: usize,
    /// The violations.
    pub violations: Vec<BookingViolation>,
}

impl BookingReport {
    /// The violations of this kind.
    pub fn of(&self, kind: BookingViolationKind) -> impl Iterator<Item = &BookingViolation> {
        self.violations.iter().filter(move |v| v.kind == kind)
    }
}

impl fmt::Display for BookingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} rooms, {} successful bookings, {} violations",
            self.verdict,
            self.rooms,
            self.bookings,
            self.violations.len()
        )?;
        for v in &self.violations {
            write!(f, "  {v}")?;
        }
        Ok(())
    }
}

fn succeeded_booking(c: &Call) -> bool {
    c.f == "book" && c.outcome == Outcome::Ok && c.result != Value::Bool(false)
}

/// A cancellation that may have freed the room: not failed, not refused.
fn may_cancel(c: &Call) -> bool {
    c.f == "cancel" && c.outcome != Outcome::Fail && c.result != Value::Bool(false)
}

fn end(c: &Call) -> u64 {
    match c.outcome {
        Outcome::Ok => c.complete_time.unwrap_or(u64::MAX),
        _ => u64::MAX,
    }
}

/// Holders a read shows: none, one, or (a list) several.
fn holders(v: &Value) -> Vec<Value> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(xs) => {
            let mut hs: Vec<Value> = Vec::new();
            for x in xs.iter().filter(|x| !x.is_null()) {
                if !hs.contains(x) {
                    hs.push(x.clone());
                }
            }
            hs
        }
        other => vec![other.clone()],
    }
}

/// Checks every room's invariants.
pub fn check(history: &History) -> Result<BookingReport, CheckError> {
    let calls = history.calls()?;
    let finals = super::FinalPhase::of(history);
    let mut rooms: BTreeMap<String, (Value, Vec<&Call>)> = BTreeMap::new();
    for c in &calls {
        if !matches!(c.f.as_str(), "book" | "cancel" | "available") {
            continue;
        }
        let room = c
            .key
            .clone()
            .ok_or_else(|| CheckError::bad_call(c, "a booking call needs its room as the key"))?;
        rooms
            .entry(room.to_string())
            .or_insert((room, Vec::new()))
            .1
            .push(c);
    }
    let mut report = BookingReport {
        verdict: Verdict::Valid,
        rooms: rooms.len(),
        bookings: calls.iter().filter(|c| succeeded_booking(c)).count(),
        violations: Vec::new(),
    };
    for (room, cs) in rooms.values() {
        held_by_two(room, cs, &mut report.violations);
        double_bookings(room, cs, &mut report.violations);
        lost_bookings(room, cs, &finals, &mut report.violations);
    }
    report.verdict = if !report.violations.is_empty() {
        Verdict::Invalid
    } else if report.rooms == 0 {
        Verdict::unknown("no booking calls")
    } else {
        Verdict::Valid
    };
    Ok(report)
}

fn cancelled_between(cs: &[&Call], guest: &Value, after: u64, before: u64) -> bool {
    cs.iter()
        .any(|c| may_cancel(c) && c.argument == *guest && c.invoke_time < before && end(c) > after)
}

fn held_by_two(room: &Value, cs: &[&Call], out: &mut Vec<BookingViolation>) {
    let reads: Vec<&&Call> = cs
        .iter()
        .filter(|c| c.f == "available" && c.outcome == Outcome::Ok)
        .collect();
    for r in &reads {
        let hs = holders(&r.result);
        if hs.len() > 1 {
            out.push(BookingViolation {
                kind: BookingViolationKind::HeldByTwo,
                room: room.clone(),
                calls: vec![(**r).into()],
                explanation: format!("one read shows the room held by {} guests", hs.len()),
            });
        }
    }
    // Consecutive sightings of different holders (by completion time).
    let mut seen: Vec<(&Call, Value)> = reads
        .iter()
        .filter_map(|r| match holders(&r.result).as_slice() {
            [h] => Some((**r, h.clone())),
            _ => None,
        })
        .collect();
    seen.sort_by_key(|(c, _)| end(c));
    for pair in seen.windows(2) {
        let ((a, ga), (b, gb)) = (&pair[0], &pair[1]);
        if ga != gb && end(a) < b.invoke_time && !cancelled_between(cs, ga, a.invoke_time, end(b)) {
            out.push(BookingViolation {
                kind: BookingViolationKind::HeldByTwo,
                room: room.clone(),
                calls: vec![(*a).into(), (*b).into()],
                explanation: format!(
                    "a read showed {ga} holding the room, a later read showed {gb}, and {ga} never cancelled in between"
                ),
            });
        }
    }
}

fn double_bookings(room: &Value, cs: &[&Call], out: &mut Vec<BookingViolation>) {
    let mut books: Vec<&&Call> = cs.iter().filter(|c| succeeded_booking(c)).collect();
    books.sort_by_key(|c| end(c));
    for pair in books.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        // Completion order is not effect order for overlapping calls: b may have taken effect
        // first, and then only a cancellation by b's guest could separate them.
        let b_may_precede_a = b.invoke_time < end(a);
        let separated = cancelled_between(cs, &a.argument, a.invoke_time, end(b))
            || (b_may_precede_a && cancelled_between(cs, &b.argument, b.invoke_time, end(a)));
        if !separated {
            out.push(BookingViolation {
                kind: BookingViolationKind::DoubleBooking,
                room: room.clone(),
                calls: vec![(*a).into(), (*b).into()],
                explanation: format!(
                    "{} and then {} both booked the room successfully, with no cancellation by {} in between",
                    a.argument, b.argument, a.argument
                ),
            });
        }
    }
}

fn lost_bookings(
    room: &Value,
    cs: &[&Call],
    final_phase: &super::FinalPhase,
    out: &mut Vec<BookingViolation>,
) {
    let Some(last) = cs
        .iter()
        .filter(|c| succeeded_booking(c))
        .max_by_key(|c| end(c))
    else {
        return;
    };
    let guest = &last.argument;
    if cancelled_between(cs, guest, last.invoke_time, u64::MAX) {
        return;
    }
    let reads: Vec<&&Call> = cs
        .iter()
        .filter(|c| c.f == "available" && c.outcome == Outcome::Ok)
        .collect();
    // Final reads: the marked ones, or those after the final heal; without nemesis ops or
    // marks, each node's last read.
    let finals: Vec<&&Call> = match final_phase {
        super::FinalPhase::Marked(_) | super::FinalPhase::After(_) => reads
            .into_iter()
            .filter(|c| final_phase.includes(c.invoke_index))
            .collect(),
        super::FinalPhase::Whole => {
            let mut last: BTreeMap<Option<&String>, &&Call> = BTreeMap::new();
            for r in reads {
                let slot = last.entry(r.node.as_ref()).or_insert(r);
                if end(r) > end(slot) {
                    *slot = r;
                }
            }
            last.into_values().collect()
        }
    };
    for r in finals.into_iter().filter(|r| r.invoke_time > end(last)) {
        if holders(&r.result) != vec![guest.clone()] {
            out.push(BookingViolation {
                kind: BookingViolationKind::LostBooking,
                room: room.clone(),
                calls: vec![(*last).into(), (*r).into()],
                explanation: format!(
                    "{guest}'s acknowledged booking was never cancelled, but a final read shows {}",
                    if r.result.is_null() {
                        "the room free".to_string()
                    } else {
                        format!("{}", r.result)
                    }
                ),
            });
        }
    }
}
