//! What the partitions of a stored booking run did to the calls that crossed them, for a strategy
//! whose primary is node 0 (async: a backup forwards writes to it and pulls its changes).
//!
//! A partition is in force from the end of its install to the start of the next network step
//! (or the end of the history). Under it a node is cut off when it or node 0 drops the other's
//! packets. Two things can be read from the calls:
//! - an occasion for a stale read: a write on node 0's side that changed a room, invoked and
//!   completed while the cut held, then a read of that room at a cut-off node, invoked after the
//!   write completed and completed while the cut still held, that shows the room without the
//!   change, no other write of that room (but a failed one) having been in flight in between
//!   (the node cannot have the write, and nothing else explains what it shows);
//! - a breach: a write at a cut-off backup that succeeded while the cut held (it had to reach
//!   node 0 through the cut).

use faults::{Fault, Grudge, NodeId, Outcome as FaultOutcome};
use histories::{Call, Outcome};
use runner::store::StoredRun;

const PRIMARY: NodeId = NodeId(0);

/// A partition while it was in force.
struct Window {
    from: u64,
    to: u64,
    grudge: Grudge,
}

impl Window {
    fn holds(&self, c: &Call) -> bool {
        self.from <= c.invoke_time && c.complete_time.is_some_and(|t| t <= self.to)
    }

    /// Whether `node` cannot exchange messages with the primary.
    fn cut_off(&self, node: NodeId) -> bool {
        node != PRIMARY && (self.grudge.drops(node, PRIMARY) || self.grudge.drops(PRIMARY, node))
    }
}

/// What the partitions of one run gave occasion to, in words for a failure message.
#[derive(Debug, Default)]
pub struct Crossings {
    /// The first occasion for a stale read, if any.
    pub stale_read: Option<String>,
    /// The first write that went through a cut recorded as in force, if any.
    pub breach: Option<String>,
    /// Each window: its grudge, its span and the calls that began and ended in it, by outcome.
    pub windows: Vec<String>,
    /// The network steps not recorded as installed, with their outcomes.
    pub not_installed: Vec<String>,
}

fn windows(run: &StoredRun) -> Vec<Window> {
    let end = run.history.ops.last().map_or(0, |o| o.time);
    let network = |f: &Fault| matches!(f, Fault::Partition { .. } | Fault::Heal);
    let steps: Vec<_> = run
        .faults
        .iter()
        .filter(|l| network(&l.record.fault))
        .collect();
    steps
        .iter()
        .enumerate()
        .filter(|(_, l)| l.record.outcome == FaultOutcome::Installed)
        .filter_map(|(i, l)| {
            let grudge = l.record.grudge.clone()?;
            let to = steps.get(i + 1).map_or(end, |next| next.start);
            Some(Window {
                from: l.end,
                to,
                grudge,
            })
        })
        .collect()
}

fn node_of(c: &Call) -> Option<NodeId> {
    c.node
        .as_deref()?
        .strip_prefix('n')?
        .parse()
        .ok()
        .map(NodeId)
}

fn changed_a_room(c: &Call) -> bool {
    matches!(c.f.as_str(), "book" | "cancel")
        && c.outcome == Outcome::Ok
        && c.result == serde_json::Value::Bool(true)
}

/// Whether `read`, an availability check, shows the room without the change `write` made: a
/// booking's guest not holding it, a cancelled guest still holding it.
fn misses(write: &Call, read: &Call) -> bool {
    let guest = &write.argument;
    let holds = match &read.result {
        serde_json::Value::Array(holders) => holders.contains(guest),
        holder => holder == guest,
    };
    (write.f == "book") != holds
}

/// Whether a write of `write`'s room other than `write` and not failed was in flight at some
/// point between `write`'s invocation and `read`'s completion (an info one stays in flight).
fn overlapped(calls: &[&Call], write: &Call, read: &Call) -> bool {
    let until = read.complete_time.unwrap_or(u64::MAX);
    calls.iter().any(|c| {
        matches!(c.f.as_str(), "book" | "cancel")
            && c.id != write.id
            && c.key == write.key
            && c.outcome != Outcome::Fail
            && c.invoke_time < until
            && (c.is_open() || c.complete_time.is_none_or(|t| t > write.invoke_time))
    })
}

fn describe(c: &Call) -> String {
    format!(
        "{} {} of room {} at {} ({:?}, {:.3} s to {})",
        c.f,
        c.argument,
        c.key.as_ref().map_or("-".into(), |k| k.to_string()),
        c.node.as_deref().unwrap_or("?"),
        c.outcome,
        c.invoke_time as f64 / 1e9,
        c.complete_time
            .map_or("never".into(), |t| format!("{:.3} s", t as f64 / 1e9)),
    )
}

/// Reads the crossings of `run`'s partitions from its history and faults.
pub fn crossings(run: &StoredRun) -> Crossings {
    let calls = run.history.calls().expect("the history pairs into calls");
    let all: Vec<&Call> = calls.iter().collect();
    let mut found = Crossings {
        not_installed: run
            .faults
            .iter()
            .filter(|l| matches!(l.record.fault, Fault::Partition { .. } | Fault::Heal))
            .filter(|l| l.record.outcome != FaultOutcome::Installed)
            .map(|l| format!("{:?}: {:?}", l.record.fault, l.record.outcome))
            .collect(),
        ..Crossings::default()
    };
    for w in windows(run) {
        let inside: Vec<&Call> = calls.iter().filter(|c| w.holds(c)).collect();
        let at = |c: &Call| node_of(c).unwrap_or(PRIMARY);
        let count = |o: Outcome| inside.iter().filter(|c| c.outcome == o).count();
        found.windows.push(format!(
            "{:?} from {:.3} s to {:.3} s: {} ok, {} fail, {} info",
            w.grudge,
            w.from as f64 / 1e9,
            w.to as f64 / 1e9,
            count(Outcome::Ok),
            count(Outcome::Fail),
            count(Outcome::Info)
        ));
        if found.breach.is_none() {
            found.breach = inside
                .iter()
                .find(|c| {
                    matches!(c.f.as_str(), "book" | "cancel")
                        && c.outcome == Outcome::Ok
                        && w.cut_off(at(c))
                })
                .map(|c| describe(c));
        }
        if found.stale_read.is_none() {
            found.stale_read = inside
                .iter()
                .filter(|c| changed_a_room(c) && !w.cut_off(at(c)))
                .find_map(|write| {
                    let done = write.complete_time?;
                    inside
                        .iter()
                        .find(|r| {
                            r.f == "available"
                                && r.outcome == Outcome::Ok
                                && r.key == write.key
                                && r.invoke_time > done
                                && w.cut_off(at(r))
                                && misses(write, r)
                                && !overlapped(&all, write, r)
                        })
                        .map(|r| format!("{}, then {}", describe(write), describe(r)))
                });
        }
    }
    found
}

/// Runs of an async/one case under partitions at most: a valid run whose partitions gave no
/// occasion for a stale read proves nothing either way, so it is run again.
pub const ATTEMPTS: usize = 3;

/// Judges attempt `attempt` of a valid async/one run stored in `dir`, described by `what` in
/// failure messages. Fails the test when a partition or heal did not take effect, when a write
/// went through a cut recorded as in force, when a partition gave an occasion for a stale read
/// (async/one must have shown it), or when the last attempt's partitions gave none. Otherwise
/// says so on stderr and returns: the caller runs the case again.
pub fn judge_valid_run(dir: &std::path::Path, attempt: usize, what: &str) {
    let seen = crossings(&runner::store::load_run(dir).unwrap());
    let run = dir.display();
    assert!(
        seen.not_installed.is_empty(),
        "{what}: a partition or heal did not take effect: {:?}; run: {run}",
        seen.not_installed
    );
    assert!(
        seen.breach.is_none(),
        "{what}: a write went through a partition recorded as in force: {:?}; partitions: {:?}; run: {run}",
        seen.breach,
        seen.windows
    );
    assert!(
        seen.stale_read.is_none(),
        "{what}: async/one serves stale reads from its backups, and its partitions gave one a chance: {:?}; run: {run}",
        seen.stale_read
    );
    assert!(
        attempt < ATTEMPTS,
        "{what}: in {ATTEMPTS} runs the partitions never gave an occasion for a stale read; the last: {:?}; run: {run}",
        seen.windows
    );
    eprintln!(
        "{what}: run {attempt} of at most {ATTEMPTS} valid, and its partitions gave no occasion for a stale read ({:?}); running it again",
        seen.windows
    );
}
