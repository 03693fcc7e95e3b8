//! The calls as columns, one entry per call in invocation order, and the lanes they are drawn in:
//! one lane per process, grouped by the node the process mostly called.

use super::columns::{Column, Strings};
use histories::{Call, Outcome, Process};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// How many characters of a value the page keeps for its hover text.
const VALUE_CHARS: usize = 160;

/// One lane of the timeline.
#[derive(Debug, Serialize)]
pub(crate) struct Lane {
    /// The process.
    pub process: String,
    /// Index into the nodes of the node its calls mostly went to; `None` when they name none.
    pub node: Option<usize>,
}

/// The calls' columns (see columns.rs); times are in ticks of `PageData::tick_ns`.
#[derive(Debug, Serialize)]
pub(crate) struct CallColumns {
    /// How many calls.
    pub n: usize,
    /// Invocation times, each as the difference from the previous call's.
    pub inv: String,
    /// Completion minus invocation, plus one; 0 for a call that never completed.
    pub lat: String,
    /// Lane index.
    pub lane: String,
    /// Index into `fs`.
    pub f: String,
    /// 0 ok, 1 fail, 2 info.
    pub out: String,
    /// Node index plus one; 0 for none.
    pub node: String,
    /// Key, value and error: indices into `strings`.
    pub key: String,
    /// See `key`.
    pub val: String,
    /// See `key`.
    pub err: String,
    /// Index of the invocation op, as the difference from the previous call's.
    pub op: String,
}

/// The calls' columns with their lanes, nodes and names.
pub(crate) struct Calls {
    pub columns: CallColumns,
    pub lanes: Vec<Lane>,
    pub nodes: Vec<String>,
    pub fs: Vec<String>,
}

/// Node names in natural order: n2 before n10.
fn natural(name: &str) -> (String, u64, String) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, num) = name.split_at(name.len() - digits);
    (stem.to_string(), num.parse().unwrap_or(0), name.to_string())
}

fn process_key(p: Process) -> (u8, u64) {
    match p {
        Process::Client(n) => (0, n),
        Process::Nemesis => (1, 0),
    }
}

/// A JSON value as the hover shows it, cut short.
fn text(v: &Value) -> String {
    let s = match v {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > VALUE_CHARS {
        let cut: String = s.chars().take(VALUE_CHARS).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// What a call asked and what came back: `3`, `→ 3` (a read), `[1 2] → true`.
fn value_text(c: &Call) -> String {
    let arg = text(&c.argument);
    if c.outcome != Outcome::Ok || c.result == c.argument {
        return arg;
    }
    let res = text(&c.result);
    if arg.is_empty() {
        format!("→ {res}")
    } else {
        format!("{arg} → {res}")
    }
}

/// The columns of `calls`, their times divided by `tick_ns`.
pub(crate) fn columns(calls: &[Call], tick_ns: u64, strings: &mut Strings) -> Calls {
    let mut node_names: Vec<String> = calls
        .iter()
        .filter_map(|c| c.node.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    node_names.sort_by_key(|n| natural(n));
    let node_index: HashMap<&str, usize> = node_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    // Each process's calls per node, to put it in the lane group of its usual node.
    let mut per_process: BTreeMap<(u8, u64), (Process, BTreeMap<usize, usize>)> = BTreeMap::new();
    for c in calls {
        let e = per_process
            .entry(process_key(c.process))
            .or_insert_with(|| (c.process, BTreeMap::new()));
        if let Some(&n) = c.node.as_deref().and_then(|n| node_index.get(n)) {
            *e.1.entry(n).or_insert(0) += 1;
        }
    }
    let mut lanes: Vec<(Option<usize>, (u8, u64), Process)> = per_process
        .into_iter()
        .map(|(key, (p, nodes))| {
            let usual = nodes
                .iter()
                .max_by_key(|(n, count)| (**count, std::cmp::Reverse(**n)))
                .map(|(n, _)| *n);
            (usual, key, p)
        })
        .collect();
    // Lanes without a node after the others.
    lanes.sort_by_key(|(node, key, _)| (node.is_none(), *node, *key));
    let lane_of: HashMap<Process, u64> = lanes
        .iter()
        .enumerate()
        .map(|(i, (_, _, p))| (*p, i as u64))
        .collect();
    let mut fs: Vec<String> = Vec::new();
    let mut f_index: HashMap<&str, u64> = HashMap::new();
    let mut cols: [Column; 10] = Default::default();
    let [inv, lat, lane, f, out, node, key, val, err, op] = &mut cols;
    let (mut prev_t, mut prev_op) = (0u64, 0u64);
    for c in calls {
        let t = c.invoke_time / tick_ns;
        inv.push(t.saturating_sub(prev_t));
        prev_t = prev_t.max(t);
        lat.push(
            c.complete_time
                .map_or(0, |d| (d / tick_ns).saturating_sub(t) + 1),
        );
        lane.push(lane_of[&c.process]);
        let fi = *f_index.entry(c.f.as_str()).or_insert_with(|| {
            fs.push(c.f.clone());
            fs.len() as u64 - 1
        });
        f.push(fi);
        out.push(match c.outcome {
            Outcome::Ok => 0,
            Outcome::Fail => 1,
            Outcome::Info => 2,
        });
        node.push(
            c.node
                .as_deref()
                .and_then(|n| node_index.get(n))
                .map_or(0, |&i| i as u64 + 1),
        );
        key.push(u64::from(
            strings.intern(&c.key.as_ref().map(text).unwrap_or_default()),
        ));
        val.push(u64::from(strings.intern(&value_text(c))));
        err.push(u64::from(
            strings.intern(&c.error.as_ref().map(text).unwrap_or_default()),
        ));
        op.push(c.invoke_index.saturating_sub(prev_op));
        prev_op = prev_op.max(c.invoke_index);
    }
    let [inv, lat, lane, f, out, node, key, val, err, op] = cols.map(|c| c.encode());
    Calls {
        columns: CallColumns {
            n: calls.len(),
            inv,
            lat,
            lane,
            f,
            out,
            node,
            key,
            val,
            err,
            op,
        },
        lanes: lanes
            .into_iter()
            .map(|(node, _, p)| Lane {
                process: p.to_string(),
                node,
            })
            .collect(),
        nodes: node_names,
        fs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_sort_naturally() {
        let mut v = vec!["n10", "n2", "n1"];
        v.sort_by_key(|n| natural(n));
        assert_eq!(v, vec!["n1", "n2", "n10"]);
    }

    #[test]
    fn a_read_shows_what_it_returned() {
        let c = Call {
            id: 0,
            process: Process::Client(0),
            f: "read".into(),
            key: None,
            argument: Value::Null,
            result: serde_json::json!(3),
            outcome: Outcome::Ok,
            error: None,
            node: None,
            invoke_index: 0,
            invoke_time: 0,
            complete_index: Some(1),
            complete_time: Some(1),
        };
        assert_eq!(value_text(&c), "→ 3");
    }
}
