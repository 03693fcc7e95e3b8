//! The witness of a transactional anomaly: the anomaly's transactions (a cycle's, with each
//! edge's reason), with the transactions whose writes they read, and as few others as the same
//! anomaly on the same transactions needs (those that fix a key's version order, say).

use super::{locate, shrink, sub_history, Anomaly, Grounds, NoWitness, Traced, Witness};
use crate::model::{Datum, Traces};
use crate::txn::{self, TxnOptions, TxnReport};
use histories::{Call, History, Outcome};
use serde_json::Value;
use std::collections::HashSet;

/// The micro-ops of a transaction as its outcome tells them: completed for an ok one.
fn mops(c: &Call) -> &[Value] {
    let v = if c.outcome == Outcome::Ok {
        &c.result
    } else {
        &c.argument
    };
    v.as_array().map_or(&[], Vec::as_slice)
}

/// What a transaction read (`[k, v]` for each element or value it saw) and wrote.
fn traces(c: &Call) -> Traces {
    let mut t = Traces::default();
    let pair = |k: &Value, v: &Value| Datum::List(vec![Datum::from(k), Datum::from(v)].into());
    for m in mops(c) {
        let Some([f, k, v]) = m.as_array().map(Vec::as_slice) else {
            continue;
        };
        match (f.as_str(), v) {
            (Some("append" | "w"), v) => t.put.push(pair(k, v)),
            (Some("r"), Value::Array(xs)) => t.saw.extend(xs.iter().map(|x| Some(pair(k, x)))),
            (Some("r"), Value::Null) => {}
            (Some("r"), v) => t.saw.push(Some(pair(k, v))),
            _ => {}
        }
    }
    t
}

fn keys(c: &Call) -> impl Iterator<Item = &Value> {
    mops(c).iter().filter_map(|m| m.get(1))
}

/// The witness of the first anomaly of `report` that `opts` prohibits: the same kind of
/// anomaly on the same transactions, in a sub-history of those touching their keys.
pub fn witness(
    history: &History,
    opts: &TxnOptions,
    report: &TxnReport,
) -> Result<Witness, NoWitness> {
    let anomaly = report
        .anomalies
        .iter()
        .find(|a| opts.prohibits(a.kind))
        .ok_or(NoWitness::NotInvalid)?;
    let calls = history.calls()?;
    let mut indices: Vec<u64> = anomaly.txns().iter().map(|t| t.index).collect();
    indices.dedup();
    let focus: Vec<usize> = calls
        .iter()
        .filter(|c| indices.contains(&c.invoke_index))
        .map(|c| c.id)
        .collect();
    let touched: HashSet<String> = focus
        .iter()
        .flat_map(|&c| keys(&calls[c]))
        .map(|k| k.to_string())
        .collect();
    let candidates: Vec<usize> = calls
        .iter()
        .filter(|c| c.f == "txn" && keys(c).any(|k| touched.contains(&k.to_string())))
        .map(|c| c.id)
        .collect();
    let traced: Vec<Traced> = candidates
        .iter()
        .map(|&c| Traced {
            call: c,
            traces: traces(&calls[c]),
            invoke: calls[c].invoke_index,
            complete: calls[c].complete_index,
        })
        .collect();
    let grounds = Grounds::new(&traced);
    let mut wanted = indices.clone();
    wanted.sort_unstable();
    let quick = TxnOptions {
        time_limit: Some(super::SHRINK_TIME),
        ..opts.clone()
    };
    let holds = |keep: &[usize]| {
        txn::check(&sub_history(history, &calls, keep), &quick).is_ok_and(|r| {
            r.anomalies.iter().any(|a| {
                let mut ts: Vec<u64> = a.txns().iter().map(|t| t.index).collect();
                ts.sort_unstable();
                ts.dedup();
                a.kind == anomaly.kind && ts == wanted
            })
        })
    };
    let (kept, minimal) = shrink(&candidates, &focus, &grounds, holds)?;
    let sub = sub_history(history, &calls, &kept);
    Ok(Witness {
        anomaly: Anomaly::Txn(Box::new(anomaly.clone())),
        location: locate(&sub, kept.len(), indices, candidates.len(), minimal),
        history: sub,
    })
}
