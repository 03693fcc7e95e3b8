//! `rift check` on transactional histories (Elle's list-append and rw-register): the anomalies
//! found, explained, and the consistency models they rule out.

use anyhow::Context;
use checker::txn::{
    self, AnomalyKind, ConsistencyModel, TxnOptions, TxnReader, TxnReport, Workload,
};
use histories::formats::JsonlReader;
use histories::{History, Process};
use std::path::Path;

/// How many ops of a JSONL file are read to tell a transactional history from another.
const PEEK_OPS: usize = 1000;

/// True when the micro-op names of `txn` calls are Elle's (`append`, `r`, `w`), so the history is
/// for the transactional checker; Knossos' multi-register spells them `read` and `write`.
pub fn is_elle_micro_ops(names: &[&str]) -> bool {
    !names.is_empty()
        && (names.contains(&"append") || names.iter().all(|n| matches!(*n, "r" | "w")))
}

/// The names of the micro-ops in a `txn` call's value (empty when it holds none).
pub fn micro_op_names(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.get(0).and_then(|f| f.as_str()))
        .collect()
}

/// The model named by `--consistency-model`, or an error listing the names.
pub fn parse_model(name: &str) -> anyhow::Result<ConsistencyModel> {
    ConsistencyModel::from_name(name).with_context(|| {
        let names: Vec<&str> = ConsistencyModel::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown consistency model {name:?}; expected one of {}",
            names.join(", ")
        )
    })
}

/// The anomaly named in `--anomalies`, or an error listing the names.
pub fn parse_anomaly(name: &str) -> anyhow::Result<AnomalyKind> {
    AnomalyKind::from_name(name.trim()).with_context(|| {
        let names: Vec<&str> = AnomalyKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "unknown anomaly {name:?} in --anomalies; expected some of {}",
            names.join(", ")
        )
    })
}

/// The workload a `--model` value names, when it names a transactional one.
pub fn workload(model: &str) -> Option<Workload> {
    match model {
        "list-append" => Some(Workload::ListAppend),
        "rw-register" => Some(Workload::RwRegister),
        _ => None,
    }
}

/// Whether a JSONL history is transactional, judged from its header's model and its first
/// [`PEEK_OPS`] ops, so that the file need not be read whole to decide.
pub fn jsonl_is_transactional(file: &Path) -> anyhow::Result<bool> {
    let reader = JsonlReader::open(file)?;
    if let Some(model) = reader.header().meta.get("model").and_then(|m| m.as_str()) {
        if workload(model).is_some() {
            return Ok(true);
        }
    }
    let mut names = Vec::new();
    for op in reader.take(PEEK_OPS) {
        let op = op?;
        if op.process == Process::Nemesis {
            continue;
        }
        if op.f != "txn" {
            return Ok(false);
        }
        names.extend(micro_op_names(&op.value).into_iter().map(str::to_string));
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(is_elle_micro_ops(&names))
}

/// Checks a JSONL history streamed op by op, never holding it whole; errors name the line.
/// Also returns the line of a last line cut short (see [`JsonlReader::cut_short`]).
pub fn check_jsonl(file: &Path, opts: &TxnOptions) -> anyhow::Result<(TxnReport, Option<u32>)> {
    let mut reader = JsonlReader::open(file)?;
    let mut txns = TxnReader::new(opts.workload);
    while let Some(op) = reader.next() {
        let op = op?;
        txns.push(&op)
            .with_context(|| format!("{}: line {}", file.display(), reader.line()))?;
    }
    Ok((txns.finish(opts)?, reader.cut_short()))
}

/// Checks a history already read whole (EDN and the other formats).
pub fn check_history(history: &History, opts: &TxnOptions) -> anyhow::Result<TxnReport> {
    Ok(txn::check(history, opts)?)
}

/// Most edges `--explain` prints; a big history's graph is summarised by its count.
const EXPLAIN_EDGES: usize = 200;

/// The dependency graph of a (small) history in words, one edge a line with its reason.
pub fn graph_in_words(history: &History, opts: &TxnOptions) -> anyhow::Result<String> {
    let steps = txn::dependencies(history, opts)?;
    let mut out = format!("dependency graph: {} edges\n", steps.len());
    for step in steps.iter().take(EXPLAIN_EDGES) {
        out += &format!("  {step}\n");
    }
    if steps.len() > EXPLAIN_EDGES {
        out += &format!("  ... and {} more\n", steps.len() - EXPLAIN_EDGES);
    }
    Ok(out)
}
