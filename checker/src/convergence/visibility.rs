//! When each acknowledged element became visible on every node for good.

use super::observe::StateKind;
use super::Visibility;
use histories::Call;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};

/// For one node's reads of one key, in time order: for each element present in the last read,
/// the time of the first read from which every later read showed it.
pub(crate) fn stable_since(reads: &[(u64, &Value)]) -> HashMap<String, u64> {
    let mut since = HashMap::new();
    let Some((_, last)) = reads.last() else {
        return since;
    };
    let mut stable: HashSet<String> = members(last);
    let mut t_next = reads.last().map(|r| r.0).unwrap_or(0);
    for (t, v) in reads.iter().rev() {
        let here = members(v);
        let dropped: Vec<String> = stable
            .iter()
            .filter(|e| !here.contains(*e))
            .cloned()
            .collect();
        for e in dropped {
            stable.remove(&e);
            since.insert(e, t_next);
        }
        t_next = *t;
    }
    for e in stable {
        since.insert(e, t_next);
    }
    since
}

fn members(v: &Value) -> HashSet<String> {
    v.as_array()
        .map(|xs| xs.iter().map(|x| x.to_string()).collect())
        .unwrap_or_default()
}

/// Each acknowledged element's visibility across `nodes`.
pub(crate) fn of_elements(
    calls: &[Call],
    reads: &HashMap<(String, String), Vec<(u64, &Value)>>,
    nodes: &BTreeSet<String>,
    state: StateKind,
) -> Vec<Visibility> {
    let since: HashMap<&(String, String), HashMap<String, u64>> =
        reads.iter().map(|(k, rs)| (k, stable_since(rs))).collect();
    let mut out = Vec::new();
    for c in calls {
        let Some(ack) = c.complete_time else { continue };
        for (key, element) in state.elements(c) {
            let text = element.to_string();
            let everywhere = nodes
                .iter()
                .map(|n| {
                    since
                        .get(&(n.clone(), key.to_string()))
                        .and_then(|m| m.get(&text).copied())
                })
                .try_fold(0u64, |acc, t| t.map(|t| acc.max(t)));
            out.push(Visibility {
                key,
                element,
                acknowledged: ack,
                everywhere,
                latency: everywhere.map(|t| t.saturating_sub(ack)),
            });
        }
    }
    out
}
