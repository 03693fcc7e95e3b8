//! Eventual convergence: after the final phase, do all nodes hold the same state, and does it
//! hold every acknowledged write?
//!
//! # The final-read convention (what the runner records)
//! - Every client call carries `node`: the replica that served it.
//! - The final phase starts with the history's **last nemesis op** (rift's final heal: `heal`,
//!   `resume`, `restart`, `clock-reset`, recorded as nemesis ops). Its time is the *heal time*.
//!   A history with no nemesis op has its final phase start at its beginning.
//! - **Marked final reads** (what `rift run` records): when the header's meta has
//!   `"final_reads": "marked"`, the final reads are exactly the ok read calls whose ops carry
//!   `"final": true` (the invocation's and the completion's). A marked history with none never
//!   reached its final reads (a run killed mid-run): Unknown, with that reason — not a failure
//!   to converge, which the last reads of an interrupted workload would suggest.
//! - Otherwise (histories recorded elsewhere, or before the marks), the **final reads** are the
//!   ok read calls invoked after the last nemesis op. For each node and key, the last one (by
//!   completion) is that node's final state of the key. Reads are, per
//!   [`StateKind`]: `read` (set: value = the elements; register and counter: the value; keyed by
//!   `key` when the state is), `available` (booking: key = room, value = null or the holder) and
//!   `txn` with `["r", k, [..]]` micro-ops (list-append).
//! - Every node that served any call must have a final read, else the verdict is Unknown.
//!
//! # Verdict
//! Valid when *converged* (every node holds the same value for every key) and *complete* (every
//! acknowledged write is present, or legitimately superseded under the state's conflict rule, see
//! [`StateKind`]); Invalid otherwise, with the difference per node and the missing writes;
//! Unknown when there are no final reads or some node was not read.
//!
//! Also reported: for sets and lists, the time each acknowledged element took to become visible
//! on every node (from its add's completion to the earliest time after which every read of every
//! node showed it); and the time from the heal to the moment all nodes agreed for good.

mod observe;
mod visibility;

pub use observe::StateKind;

use crate::{CheckError, Verdict};
use histories::{Call, History, Outcome, Process};
use observe::Observation;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// How to check convergence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConvergenceOptions {
    /// The kind of state the replicas hold.
    pub state: StateKind,
}

/// One node whose final state of a key differs from the majority's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The node.
    pub node: String,
    /// The key (`null` for unkeyed state).
    pub key: Value,
    /// What the node holds (`null` when it returned nothing for the key).
    pub value: Value,
    /// What most nodes hold.
    pub majority: Value,
    /// For sets and lists: elements the majority holds and this node lacks.
    pub missing: Vec<Value>,
    /// For sets and lists: elements this node holds and the majority lacks.
    pub extra: Vec<Value>,
}

/// An acknowledged write that a node's final state lacks without a legitimate reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingWrite {
    /// Index of the write's invocation op (`None` for a counter's total shortfall).
    pub index: Option<u64>,
    /// The key.
    pub key: Value,
    /// The value written (element, register value, guest, or the counter's acknowledged sum).
    pub value: Value,
    /// The nodes whose final state lacks it.
    pub nodes: Vec<String>,
}

/// How long an acknowledged element took to become visible on every node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visibility {
    /// The key.
    pub key: Value,
    /// The element.
    pub element: Value,
    /// When its add completed (ns).
    pub acknowledged: u64,
    /// When every node's reads showed it from then on (ns); `None` if some node never did.
    pub everywhere: Option<u64>,
    /// `everywhere - acknowledged`.
    pub latency: Option<u64>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergenceReport {
    /// Valid, Invalid (not converged or not complete) or Unknown (nodes not read).
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The kind of state checked.
    pub state: StateKind,
    /// All nodes hold the same final state.
    pub converged: bool,
    /// Every acknowledged write is present or legitimately superseded on every node.
    pub complete: bool,
    /// The nodes that served calls.
    pub nodes: Vec<String>,
    /// Nodes with no final read.
    pub unread: Vec<String>,
    /// Time of the final heal (the last nemesis op), if any.
    pub heal_time: Option<u64>,
    /// Time from the heal (or the start) until all nodes agreed for good (ns); `None` when they
    /// never did.
    pub convergence_time: Option<u64>,
    /// Per node, where its final state differs from the majority's.
    pub differences: Vec<Difference>,
    /// Acknowledged writes missing from final states.
    pub missing: Vec<MissingWrite>,
    /// For sets and lists, each acknowledged element's visibility.
    pub visibility: Vec<Visibility>,
}

impl ConvergenceReport {
    /// The largest visibility latency among elements that became visible everywhere.
    pub fn max_latency(&self) -> Option<u64> {
        self.visibility.iter().filter_map(|v| v.latency).max()
    }
}

impl fmt::Display for ConvergenceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} state over {} nodes {}, {}",
            self.verdict,
            self.state,
            self.nodes.len(),
            if self.converged {
                "converged"
            } else {
                "did not converge"
            },
            if self.complete {
                "complete"
            } else {
                "incomplete"
            }
        )?;
        if let Some(t) = self.convergence_time {
            writeln!(f, "  agreed {:.3} s after the heal", t as f64 / 1e9)?;
        }
        if let Some(t) = self.max_latency() {
            writeln!(
                f,
                "  slowest element visible everywhere after {:.3} s",
                t as f64 / 1e9
            )?;
        }
        if !self.unread.is_empty() {
            writeln!(f, "  never read after the heal: {}", self.unread.join(", "))?;
        }
        for d in &self.differences {
            write!(
                f,
                "  {} holds {} = {} where most hold {}",
                d.node, d.key, d.value, d.majority
            )?;
            if !d.missing.is_empty() || !d.extra.is_empty() {
                write!(f, " (lacks {:?}, extra {:?})", d.missing, d.extra)?;
            }
            writeln!(f)?;
        }
        for m in &self.missing {
            let at = m.index.map(|i| format!(" (op {i})")).unwrap_or_default();
            writeln!(
                f,
                "  acknowledged {} = {}{at} missing on {}",
                m.key,
                m.value,
                m.nodes.join(", ")
            )?;
        }
        Ok(())
    }
}

/// A read's observation with where and when it was made.
struct Seen {
    node: String,
    time: u64,
    after_heal: bool,
    obs: Observation,
}

/// Checks that the final reads converged and are complete.
pub fn check(
    history: &History,
    opts: &ConvergenceOptions,
) -> Result<ConvergenceReport, CheckError> {
    let calls = history.calls()?;
    let heal = history
        .ops
        .iter()
        .rev()
        .find(|o| o.process == Process::Nemesis);
    let heal_index = heal.map(|o| o.index);
    let heal_time = heal.map(|o| o.time);
    let marked = finals_marked(history);
    let is_final = |c: &Call| match &marked {
        Some(finals) => finals.contains(&c.invoke_index),
        None => heal_index.is_none_or(|h| c.invoke_index > h),
    };
    let nodes: BTreeSet<String> = calls.iter().filter_map(|c| c.node.clone()).collect();
    let mut seen = Vec::new();
    for c in &calls {
        let (Some(node), Some(time)) = (&c.node, c.complete_time) else {
            continue;
        };
        for obs in opts.state.observations(c)? {
            seen.push(Seen {
                node: node.clone(),
                time,
                after_heal: is_final(c),
                obs,
            });
        }
    }
    seen.sort_by_key(|s| s.time);
    // Final state: node -> key (as text) -> (key, value).
    let mut finals: BTreeMap<String, BTreeMap<String, (Value, Value)>> = BTreeMap::new();
    for s in seen.iter().filter(|s| s.after_heal) {
        finals.entry(s.node.clone()).or_default().insert(
            s.obs.key.to_string(),
            (s.obs.key.clone(), s.obs.value.clone()),
        );
    }
    let unread: Vec<String> = nodes
        .iter()
        .filter(|n| !finals.contains_key(*n))
        .cloned()
        .collect();
    let differences = differences(&finals, opts.state);
    let missing = missing(&calls, &finals, opts.state);
    let converged = differences.is_empty();
    let complete = missing.is_empty();
    let verdict = if marked.as_ref().is_some_and(|m| m.is_empty()) {
        Verdict::unknown(
            "the run never reached its final reads: its history marks final reads \
             (final_reads: marked) and has none, so it was cut short before them",
        )
    } else if !converged || !complete {
        Verdict::Invalid
    } else if finals.is_empty() {
        Verdict::unknown("no final reads after the final heal")
    } else if !unread.is_empty() {
        Verdict::unknown(format!(
            "nodes never read after the final heal: {}",
            unread.join(", ")
        ))
    } else {
        Verdict::Valid
    };
    let convergence_time = if converged && unread.is_empty() && !finals.is_empty() {
        agreement_time(&seen, &nodes, &finals).map(|t| t.saturating_sub(heal_time.unwrap_or(0)))
    } else {
        None
    };
    let visibility = match opts.state {
        StateKind::Set | StateKind::ListAppend => {
            visibility::of_elements(&calls, &seen_by(&seen), &nodes, opts.state)
        }
        _ => Vec::new(),
    };
    Ok(ConvergenceReport {
        verdict,
        state: opts.state,
        converged,
        complete,
        nodes: nodes.into_iter().collect(),
        unread,
        heal_time,
        convergence_time,
        differences,
        missing,
        visibility,
    })
}

/// The invocation indices of the final reads, when the header says they are marked (see the
/// module doc); `None` for a history that does not mark them.
pub(crate) fn finals_marked(history: &History) -> Option<std::collections::HashSet<u64>> {
    let marked = history
        .header
        .meta
        .get("final_reads")
        .and_then(Value::as_str)
        == Some("marked");
    marked.then(|| {
        history
            .ops
            .iter()
            .filter(|o| o.kind == histories::OpType::Invoke)
            .filter(|o| o.extra.get("final") == Some(&Value::Bool(true)))
            .map(|o| o.index)
            .collect()
    })
}

/// Every read, grouped by (node, key text), in time order: (time, value).
fn seen_by(seen: &[Seen]) -> HashMap<(String, String), Vec<(u64, &Value)>> {
    let mut by: HashMap<(String, String), Vec<(u64, &Value)>> = HashMap::new();
    for s in seen {
        by.entry((s.node.clone(), s.obs.key.to_string()))
            .or_default()
            .push((s.time, &s.obs.value));
    }
    by
}

fn elements(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|xs| xs.iter().map(|x| x.to_string()).collect())
        .unwrap_or_default()
}

fn differences(
    finals: &BTreeMap<String, BTreeMap<String, (Value, Value)>>,
    state: StateKind,
) -> Vec<Difference> {
    let keys: BTreeMap<String, Value> = finals
        .values()
        .flat_map(|m| m.iter().map(|(t, (k, _))| (t.clone(), k.clone())))
        .collect();
    let mut out = Vec::new();
    for (text, key) in keys {
        let held: Vec<(&String, Value)> = finals
            .iter()
            .map(|(n, m)| {
                (
                    n,
                    m.get(&text).map(|(_, v)| v.clone()).unwrap_or(Value::Null),
                )
            })
            .collect();
        // The majority value; ties go to the larger collection, then to the first node's value.
        let mut votes: BTreeMap<String, (usize, usize, std::cmp::Reverse<usize>, Value)> =
            BTreeMap::new();
        for (i, (_, v)) in held.iter().enumerate() {
            let len = v.as_array().map_or(0, Vec::len);
            votes
                .entry(v.to_string())
                .or_insert((0, len, std::cmp::Reverse(i), v.clone()))
                .0 += 1;
        }
        let Some((_, _, _, majority)) = votes
            .into_values()
            .max_by_key(|(n, len, first, _)| (*n, *len, *first))
        else {
            continue;
        };
        for (node, v) in held.into_iter().filter(|(_, v)| *v != majority) {
            let collection = matches!(state, StateKind::Set | StateKind::ListAppend);
            let (mine, theirs) = (elements(&v), elements(&majority));
            let diff = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> Vec<Value> {
                if !collection {
                    return Vec::new();
                }
                a.difference(b)
                    .map(|s| serde_json::from_str(s).unwrap_or(Value::String(s.clone())))
                    .collect()
            };
            out.push(Difference {
                node: node.clone(),
                key: key.clone(),
                missing: diff(&theirs, &mine),
                extra: diff(&mine, &theirs),
                value: v,
                majority: majority.clone(),
            });
        }
    }
    out
}

/// True when call `a` completed before call `b` was invoked.
fn precedes(a: &Call, b: &Call) -> bool {
    a.outcome == Outcome::Ok && a.complete_time.is_some_and(|t| t < b.invoke_time)
}

fn missing(
    calls: &[Call],
    finals: &BTreeMap<String, BTreeMap<String, (Value, Value)>>,
    state: StateKind,
) -> Vec<MissingWrite> {
    let held = |node: &BTreeMap<String, (Value, Value)>, key: &Value| -> Value {
        node.get(&key.to_string())
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null)
    };
    let mut out = Vec::new();
    let mut report = |index: Option<u64>, key: Value, value: Value, bad: Vec<String>| {
        if !bad.is_empty() {
            out.push(MissingWrite {
                index,
                key,
                value,
                nodes: bad,
            });
        }
    };
    match state {
        StateKind::Set | StateKind::ListAppend => {
            for c in calls {
                for (key, v) in state.elements(c) {
                    let bad = finals
                        .iter()
                        .filter(|(_, m)| {
                            !held(m, &key).as_array().is_some_and(|xs| xs.contains(&v))
                        })
                        .map(|(n, _)| n.clone())
                        .collect();
                    report(Some(c.invoke_index), key, v, bad);
                }
            }
        }
        StateKind::Register => {
            let written = |c: &Call| -> Option<Value> {
                match c.f.as_str() {
                    "write" => Some(c.argument.clone()),
                    "cas" => c.argument.as_array().and_then(|a| a.get(1)).cloned(),
                    _ => None,
                }
            };
            let writes: Vec<(&Call, Value)> = calls
                .iter()
                .filter(|c| c.outcome != Outcome::Fail)
                .filter_map(|c| written(c).map(|v| (c, v)))
                .collect();
            for (w, v) in writes.iter().filter(|(w, _)| w.outcome == Outcome::Ok) {
                let key = w.key.clone().unwrap_or(Value::Null);
                let bad = finals
                    .iter()
                    .filter(|(_, m)| {
                        let fv = held(m, &key);
                        fv != *v
                            && !writes.iter().any(|(o, ov)| {
                                *ov == fv
                                    && o.key.clone().unwrap_or(Value::Null) == key
                                    && !precedes(o, w)
                            })
                    })
                    .map(|(n, _)| n.clone())
                    .collect();
                report(Some(w.invoke_index), key, v.clone(), bad);
            }
        }
        StateKind::Counter => {
            let mut acked: BTreeMap<String, (Value, i64)> = BTreeMap::new();
            for c in calls
                .iter()
                .filter(|c| c.outcome == Outcome::Ok && c.f == "add")
            {
                let key = c.key.clone().unwrap_or(Value::Null);
                acked.entry(key.to_string()).or_insert((key, 0)).1 +=
                    c.argument.as_i64().unwrap_or(1);
            }
            for (_, (key, sum)) in acked {
                let bad = finals
                    .iter()
                    .filter(|(_, m)| held(m, &key).as_i64().is_none_or(|v| v < sum))
                    .map(|(n, _)| n.clone())
                    .collect();
                report(None, key, Value::from(sum), bad);
            }
        }
        StateKind::Booking => {
            for b in calls.iter().filter(|c| {
                c.f == "book" && c.outcome == Outcome::Ok && c.result != Value::Bool(false)
            }) {
                let key = b.key.clone().unwrap_or(Value::Null);
                let cancelled = calls.iter().any(|c| {
                    c.f == "cancel"
                        && c.key == b.key
                        && c.argument == b.argument
                        && c.outcome != Outcome::Fail
                        && c.result != Value::Bool(false)
                        && !precedes(c, b)
                });
                if cancelled {
                    continue;
                }
                let bad = finals
                    .iter()
                    .filter(|(_, m)| held(m, &key) != b.argument)
                    .map(|(n, _)| n.clone())
                    .collect();
                report(Some(b.invoke_index), key, b.argument.clone(), bad);
            }
        }
    }
    out
}

/// The earliest time after which, every node having been read after the heal, all nodes agreed
/// on every key and kept agreeing.
fn agreement_time(
    seen: &[Seen],
    nodes: &BTreeSet<String>,
    finals: &BTreeMap<String, BTreeMap<String, (Value, Value)>>,
) -> Option<u64> {
    let keys: BTreeSet<&String> = finals.values().flat_map(|m| m.keys()).collect();
    let mut latest: HashMap<&String, HashMap<&String, &Value>> = HashMap::new();
    let mut agreed_since = None;
    for s in seen.iter().filter(|s| s.after_heal) {
        let text = s.obs.key.to_string();
        let Some(k) = keys.get(&text) else { continue };
        latest.entry(k).or_default().insert(&s.node, &s.obs.value);
        let all = keys.iter().all(|k| {
            latest.get(k).is_some_and(|m| {
                m.len() == nodes.len() && m.values().all(|v| Some(v) == m.values().next())
            })
        });
        match (all, agreed_since) {
            (true, None) => agreed_since = Some(s.time),
            (false, _) => agreed_since = None,
            _ => {}
        }
    }
    agreed_since
}
