//! Witnesses: an invalid verdict shrunk to a small sub-history that still shows *the same
//! anomaly on the same ops*, for a person to read.
//!
//! 1-minimal is not enough: the smallest invalid sub-history of a stale read is a lone read of a
//! value nobody wrote — true, but a different anomaly. So a witness
//! - keeps the ops the checker named (the *focus*: the call it could not place, the calls of a
//!   double booking, the transactions of a cycle), and is judged invalid *for the same reason*
//!   (each kind of checker says what that means: see [`linear`](crate::linear::witness),
//!   [`invariants`], [`txn`]);
//! - is *grounded*: every value a kept call observed was put there by a kept call, whenever the
//!   original history had a call that could have ([`Grounds`]): a write whose effect a kept call
//!   observed is never removed from under it;
//! - says which anomaly it shows and where it sits in the original history ([`Location`]: the
//!   original op indices and times, kept as they were).
//!
//! Within those rules the rest is removed by delta debugging ([`ddmin`]) over whole calls, for at
//! most [`SHRINK_TIME`] (then the witness is smaller but maybe not 1-minimal, and says so).
//! [`crate::Checker::witness`] is the entry point; a checker that cannot shrink says why
//! ([`NoWitness`]).

pub mod invariants;
pub mod txn;

use crate::invariants::{booking, counter, set};
use crate::linear::KeyFailure;
use histories::{Call, History, Op, Process};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, Instant};

/// How long shrinking may take; past it the witness found so far is returned, not 1-minimal.
pub const SHRINK_TIME: Duration = Duration::from_secs(30);

/// The most calls a witness is shrunk from (each step of delta debugging checks a sub-history).
pub const SHRINK_MAX_CALLS: usize = 5000;

/// The anomaly a witness shows, as its checker found it in the original history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "checker", rename_all = "kebab-case")]
pub enum Anomaly {
    /// Linearizability: this key's calls have no linearisation, and this is why.
    NotLinearizable(Box<KeyFailure>),
    /// A violation of the booking ledger's invariants.
    Booking(Box<booking::BookingViolation>),
    /// An element of a set lost, duplicated or stale.
    Set(Box<set::ElementReport>),
    /// A counter read out of its bounds.
    Counter(Box<counter::CounterViolation>),
    /// A transactional anomaly (a cycle with its transactions, or one that is not a cycle).
    Txn(Box<crate::txn::Anomaly>),
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anomaly::NotLinearizable(k) => write!(f, "not linearizable: {k}"),
            Anomaly::Booking(v) => write!(f, "{v}"),
            Anomaly::Set(e) => {
                write!(
                    f,
                    "{:?} element {} of set {}: added by {}",
                    e.outcome, e.element, e.key, e.add
                )?;
                if let Some(w) = &e.witness {
                    write!(f, "; see {w}")?;
                }
                writeln!(f)
            }
            Anomaly::Counter(v) => writeln!(f, "{v}"),
            Anomaly::Txn(a) => write!(f, "{a}"),
        }
    }
}

/// Where a witness sits in the original history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    /// The op indices of the focus: the ops the checker named (the call it could not place
    /// first, then the others), as in the original history.
    pub focus: Vec<u64>,
    /// Every op index the witness kept (client ops and the nemesis ops around them).
    pub ops: Vec<u64>,
    /// Time of its first and last op (ns since the start of the run).
    pub from_time: u64,
    /// See `from_time`.
    pub to_time: u64,
    /// Calls it kept, and calls it was shrunk from (of the key, room or set concerned).
    pub calls: usize,
    /// See `calls`.
    pub shrunk_from: usize,
    /// True when every call left is needed (1-minimal under the rules above); false when
    /// shrinking stopped at [`SHRINK_TIME`].
    pub minimal: bool,
}

/// A shrunk invalid sub-history that shows the anomaly it was shrunk from.
#[derive(Debug, Clone, Serialize)]
pub struct Witness {
    /// The anomaly, as found in the original history.
    pub anomaly: Anomaly,
    /// Where it sits in the original.
    pub location: Location,
    /// The sub-history: whole calls of the original, with their op indices and times, and the
    /// nemesis ops that were in force around them.
    #[serde(skip)]
    pub history: History,
}

impl fmt::Display for Witness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.location;
        let focus: Vec<String> = l.focus.iter().map(|i| format!("op {i}")).collect();
        writeln!(
            f,
            "witness: {} of {} calls{}, ops {} to {} ({} to {}), about {}:",
            l.calls,
            l.shrunk_from,
            if l.minimal {
                " (removing any call loses the anomaly)"
            } else {
                " (shrinking stopped at its time limit: not minimal)"
            },
            l.ops.first().copied().unwrap_or(0),
            l.ops.last().copied().unwrap_or(0),
            histories::time::in_words(l.from_time),
            histories::time::in_words(l.to_time),
            focus.join(", ")
        )?;
        write!(f, "{}", self.anomaly)
    }
}

/// Why a checker gives no witness.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum NoWitness {
    /// The verdict is not invalid: there is no anomaly to show.
    NotInvalid,
    /// This checker does not shrink its anomalies.
    NotOffered {
        /// The checker.
        checker: String,
    },
    /// The anomaly's key, room or set has more calls than a witness is shrunk from.
    TooLarge {
        /// Its calls.
        calls: usize,
    },
    /// No sub-history within reach showed the same anomaly on the same ops.
    NotReproduced {
        /// What was tried.
        tried: String,
    },
    /// The history could not be read into calls.
    Unreadable {
        /// The error.
        error: String,
    },
}

impl fmt::Display for NoWitness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoWitness::NotInvalid => f.write_str("the verdict is not invalid: nothing to shrink"),
            NoWitness::NotOffered { checker } => {
                write!(f, "the {checker} checker does not shrink its anomalies")
            }
            NoWitness::TooLarge { calls } => write!(
                f,
                "the anomaly's calls number {calls}, more than the {SHRINK_MAX_CALLS} a witness is shrunk from"
            ),
            NoWitness::NotReproduced { tried } => write!(
                f,
                "no sub-history showed the same anomaly on the same ops ({tried})"
            ),
            NoWitness::Unreadable { error } => write!(f, "the history cannot be read: {error}"),
        }
    }
}

impl From<histories::HistoryError> for NoWitness {
    fn from(e: histories::HistoryError) -> NoWitness {
        NoWitness::Unreadable {
            error: e.to_string(),
        }
    }
}

impl From<crate::CheckError> for NoWitness {
    fn from(e: crate::CheckError) -> NoWitness {
        NoWitness::Unreadable {
            error: e.to_string(),
        }
    }
}

/// The sub-history of `history` made of these calls (positions in `calls`), in the original op
/// order, with the nemesis ops between its first and last op and the last one before them (the
/// faults in force, and where a final phase starts).
pub fn sub_history(history: &History, calls: &[Call], keep: &[usize]) -> History {
    let mut indices: HashSet<u64> = HashSet::with_capacity(keep.len() * 2);
    for &c in keep {
        indices.insert(calls[c].invoke_index);
        if let Some(i) = calls[c].complete_index {
            indices.insert(i);
        }
    }
    let first = indices.iter().min().copied().unwrap_or(0);
    let last = indices.iter().max().copied().unwrap_or(0);
    let before = history
        .ops
        .iter()
        .filter(|o| o.process == Process::Nemesis && o.index < first)
        .map(|o| o.index)
        .next_back();
    let kept = |o: &Op| {
        indices.contains(&o.index)
            || (o.process == Process::Nemesis
                && ((first..=last).contains(&o.index) || Some(o.index) == before))
    };
    History {
        header: history.header.clone(),
        ops: history.ops.iter().filter(|o| kept(o)).cloned().collect(),
        ..History::default()
    }
}

/// Reduces `units` while `holds` does, to a 1-minimal set (Zeller and Hildebrandt's ddmin);
/// stops at `deadline`, returning the set reached and whether it is 1-minimal.
pub fn ddmin(
    mut units: Vec<usize>,
    deadline: Instant,
    mut holds: impl FnMut(&[usize]) -> bool,
) -> (Vec<usize>, bool) {
    let mut n = 2usize;
    while !units.is_empty() {
        if Instant::now() > deadline {
            return (units, false);
        }
        let chunk = units.len().div_ceil(n);
        let mut reduced = false;
        for start in (0..units.len()).step_by(chunk) {
            let end = (start + chunk).min(units.len());
            let complement: Vec<usize> = units[..start]
                .iter()
                .chain(&units[end..])
                .copied()
                .collect();
            if holds(&complement) {
                units = complement;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= units.len() {
                break;
            }
            n = (2 * n).min(units.len());
        }
    }
    (units, true)
}

/// The observations a witness must keep explained: for each call (by position) and each value it
/// saw that some call of the original could have put there, the calls that could have (invoked
/// before the observation completed). The explanation must be well-founded: a cas from 3 to 3
/// explains a read of 3 only if something else explains its own 3, as in the original (where a
/// call explained its observation only through such a circle, the circle will do).
#[derive(Debug, Default)]
pub struct Grounds {
    needs: Vec<(usize, Vec<usize>)>,
}

/// A call's traces, with its times, for [`Grounds::new`].
pub struct Traced {
    /// The call's position.
    pub call: usize,
    /// What it saw and put.
    pub traces: crate::model::Traces,
    /// Its invocation's op index.
    pub invoke: u64,
    /// Its completion's op index; `None` for a call that may take effect at any time after its
    /// invocation (info).
    pub complete: Option<u64>,
}

impl Grounds {
    /// The grounds of these calls' observations among themselves.
    pub fn new(traced: &[Traced]) -> Grounds {
        let mut needs = Vec::new();
        for c in traced {
            for seen in &c.traces.saw {
                let by = c.complete.unwrap_or(u64::MAX);
                let candidates: Vec<usize> = traced
                    .iter()
                    .filter(|w| w.call != c.call && w.invoke < by)
                    .filter(|w| match seen {
                        Some(v) => w.traces.put.contains(v),
                        None => !w.traces.put.is_empty(),
                    })
                    .map(|w| w.call)
                    .collect();
                if !candidates.is_empty() {
                    needs.push((c.call, candidates));
                }
            }
        }
        let mut grounds = Grounds { needs };
        // Where the original explains an observation well-foundedly, only such explanations
        // count.
        let all: HashSet<usize> = traced.iter().map(|t| t.call).collect();
        let founded = grounds.founded(&all);
        for (_, by) in &mut grounds.needs {
            if by.iter().any(|w| founded.contains(w)) {
                by.retain(|w| founded.contains(w));
            }
        }
        grounds
    }

    /// The calls of `kept` whose observations are explained by kept calls, well-foundedly: the
    /// least set closed under "every observation has an explaining call in the set".
    fn founded(&self, kept: &HashSet<usize>) -> HashSet<usize> {
        let mut founded: HashSet<usize> = HashSet::new();
        loop {
            let before = founded.len();
            for &c in kept {
                if founded.contains(&c) {
                    continue;
                }
                let explained = self
                    .needs
                    .iter()
                    .filter(|(n, _)| *n == c)
                    .all(|(_, by)| by.iter().any(|w| founded.contains(w)));
                if explained {
                    founded.insert(c);
                }
            }
            if founded.len() == before {
                return founded;
            }
        }
    }

    /// True when every kept call's observations are explained by kept calls, well-foundedly
    /// where the original's are.
    pub fn hold(&self, kept: &HashSet<usize>) -> bool {
        let needed = |c: &usize| self.needs.iter().any(|(n, _)| n == c);
        if !kept.iter().any(needed) {
            return true;
        }
        let founded = self.founded(kept);
        kept.iter().all(|c| founded.contains(c))
            || self
                .needs
                .iter()
                .all(|(c, by)| !kept.contains(c) || by.iter().any(|w| kept.contains(w)))
                && self.circular_only(kept)
    }

    /// True when the kept calls not founded are explained only in circles in the original too.
    fn circular_only(&self, kept: &HashSet<usize>) -> bool {
        let all: HashSet<usize> = self
            .needs
            .iter()
            .flat_map(|(c, by)| std::iter::once(*c).chain(by.iter().copied()))
            .collect();
        let founded_in_original = self.founded(&all);
        let founded = self.founded(kept);
        kept.iter()
            .all(|c| founded.contains(c) || !founded_in_original.contains(c))
    }

    /// `start` with, for every observation not explained, the last of its candidates (the one
    /// invoked last), until all are.
    pub fn close(&self, start: &[usize]) -> Vec<usize> {
        let mut kept: HashSet<usize> = start.iter().copied().collect();
        loop {
            let missing: Vec<usize> = self
                .needs
                .iter()
                .filter(|(c, by)| kept.contains(c) && !by.iter().any(|w| kept.contains(w)))
                .filter_map(|(_, by)| by.last().copied())
                .collect();
            if missing.is_empty() {
                let mut out: Vec<usize> = kept.into_iter().collect();
                out.sort_unstable();
                return out;
            }
            kept.extend(missing);
        }
    }
}

/// Shrinks: among `candidates` (call positions, the focus among them), the smallest set found
/// that contains `focus` and for which `holds` (given the whole set, sorted) is true, trying
/// first `focus` grounded, then every candidate. `None` when neither holds.
pub fn shrink(
    candidates: &[usize],
    focus: &[usize],
    grounds: &Grounds,
    mut holds: impl FnMut(&[usize]) -> bool,
) -> Result<(Vec<usize>, bool), NoWitness> {
    let deadline = Instant::now() + SHRINK_TIME;
    let with_focus = |rest: &[usize]| {
        let mut all: Vec<usize> = focus.iter().chain(rest).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    };
    let mut check = |set: &[usize]| {
        let kept: HashSet<usize> = set.iter().copied().collect();
        grounds.hold(&kept) && holds(set)
    };
    let small = grounds.close(focus);
    let start = if check(&small) {
        small
    } else if candidates.len() > SHRINK_MAX_CALLS {
        return Err(NoWitness::TooLarge {
            calls: candidates.len(),
        });
    } else if check(&with_focus(candidates)) {
        with_focus(candidates)
    } else {
        return Err(NoWitness::NotReproduced {
            tried: format!(
                "the focus with what it observed ({} calls), then all {} calls",
                small.len(),
                candidates.len()
            ),
        });
    };
    let rest: Vec<usize> = start
        .iter()
        .copied()
        .filter(|c| !focus.contains(c))
        .collect();
    let (rest, minimal) = ddmin(rest, deadline, |r| check(&with_focus(r)));
    Ok((with_focus(&rest), minimal))
}

/// The [`Location`] of kept calls in the original.
pub fn locate(
    witness: &History,
    kept: usize,
    focus: Vec<u64>,
    shrunk_from: usize,
    minimal: bool,
) -> Location {
    Location {
        focus,
        ops: witness.ops.iter().map(|o| o.index).collect(),
        from_time: witness.ops.first().map_or(0, |o| o.time),
        to_time: witness.ops.last().map_or(0, |o| o.time),
        calls: kept,
        shrunk_from,
        minimal,
    }
}
