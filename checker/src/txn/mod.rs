//! Transactional isolation, Elle-style: dependency graphs over transactions, their cycles, and
//! the anomalies that are not cycles.
//!
//! # Input
//! A transaction is a client call with f `"txn"` whose value is a list of micro-ops (other calls
//! are ignored and counted in [`TxnReport::skipped_calls`]):
//! - list-append: `["append", k, v]` and `["r", k, [v1, v2, ...]]`;
//! - rw-register: `["w", k, v]` and `["r", k, v]`.
//!
//! Jepsen's EDN (`[:append :x 1]`, `[:r :x [1 2]]`) reads the same once imported (keywords become
//! strings). Jepsen's outcomes apply: ok committed, fail aborted (its writes must never be seen),
//! info may have committed (its writes count once a read shows them). The workload is detected
//! from the micro-ops unless [`TxnOptions::workload`] says it (rules in [`TxnReader`]).
//!
//! [`check`] takes a whole [`History`]; a [`TxnReader`] takes ops one at a time, so a history too
//! big to hold (a million transactions as `serde_json` values take about 2 GiB) can be checked as it
//! is read from its file.
//!
//! # What is checked
//! 1. Version orders are inferred per key (see the `list_append` and `rw_register` modules for
//!    the rules: the longest read for lists; the initial state and writes-follow-reads for
//!    registers).
//! 2. Anomalies that are not cycles: G1a (aborted read), G1b (intermediate read), internal
//!    inconsistency, duplicate elements, incompatible orders, lost updates, garbage reads, and
//!    for list-append future reads and dirty updates.
//! 3. The dependency graph: ww, wr and rw edges from the version orders; process edges
//!    from each process's order; real-time edges from completion-before-invocation (in history
//!    order, i.e. by op index). Its strongly connected components (Tarjan), and in each the
//!    shortest cycle of each shape: G0, G1c, G-single, G-nonadjacent, G2-item, and their
//!    `-process` and `-realtime` variants (the search's rules are in the `cycles` module). The
//!    process and real-time orders can each be turned off, as can rw-register's
//!    writes-follow-reads inference ([`TxnOptions`]). The search runs in
//!    three rounds: data edges only, then with process edges (a cycle must use one: `-process`),
//!    then with real-time edges too (a cycle must use one: `-realtime`). An order's edges, and
//!    its round, are left out when no kind that could make the verdict Invalid needs them
//!    ([`TxnOptions::realtime_order`]): strong session serializability needs no real-time
//!    edges, serializability neither real-time nor process edges.
//! 4. Each anomaly kind rules out consistency models by Elle's table ([`anomaly`] has it, with
//!    where rift differs); the verdict is Invalid when an anomaly found rules out
//!    [`TxnOptions::model`], or, when [`TxnOptions::anomalies`] names some, when one of them (or
//!    a kind implying one) is found. A history whose graph has no edges at all is Unknown, as
//!    in Elle: nothing orders its transactions, so there is no evidence either way.
//!
//! The default model is strict serializability, as in Jepsen's list-append tests: rift's own
//! histories carry real times, and for imported histories real-time order is history order,
//! which is what Jepsen uses too. Choose a weaker model to ask a weaker question.
//!
//! # Budget
//! [`TxnOptions::time_limit`] bounds the cycle search. When it runs out, the verdict is Unknown
//! with the reason, unless what was found already rules out the model (then Invalid): never
//! Valid.
//!
//! # Unit-test notation
//! [`notation`] writes small histories as text: `p0 ax1 ry12` is process 0 appending 1 to x and
//! reading y = [1 2] in one committed transaction.
//!
//! # Generated histories
//! [`synth`] makes seeded list-append histories, strict serializable by construction, for
//! benchmarks and property tests.

pub mod anomaly;
mod cycles;
pub mod explain;
mod found;
pub mod graph;
mod list_append;
pub mod mop;
pub mod notation;
mod reader;
mod report;
mod rw_register;
mod scc;
pub mod synth;
pub mod txn_ref;
mod writers;

pub use anomaly::{AnomalyKind, ConsistencyModel};
pub use explain::{Anomaly, Cycle, Explanation, Step, Version, Why};
pub use graph::EdgeKind;
pub use mop::{Atom, Workload};
pub use reader::TxnReader;
pub use report::{TxnOptions, TxnReport};
pub use txn_ref::TxnRef;

use crate::{CheckError, Verdict};
use found::Found;
use graph::RawEdge;
use histories::{History, Outcome};
use list_append::ListAppend;
use mop::Txns;
use rw_register::RwRegister;

/// The workload-specific half of an analysis.
enum Data<'a> {
    ListAppend(ListAppend<'a>),
    RwRegister(RwRegister<'a>),
}

/// A history's transactions, the anomalies that are not cycles, and the graph's edges.
struct Analysis<'a> {
    txns: &'a Txns,
    data: Data<'a>,
    edges: Vec<RawEdge>,
}

impl<'a> Analysis<'a> {
    fn new(
        txns: &'a Txns,
        opts: &TxnOptions,
        found: &mut Found,
    ) -> Result<Analysis<'a>, CheckError> {
        let mut edges = Vec::new();
        let data = match txns.workload {
            Workload::ListAppend => Data::ListAppend(ListAppend::analyse(txns, found, &mut edges)?),
            Workload::RwRegister => Data::RwRegister(RwRegister::analyse(
                txns,
                opts.writes_follow_reads,
                found,
                &mut edges,
            )?),
        };
        if opts.builds(EdgeKind::Process) {
            graph::process_edges(&txns.txns, &mut edges);
        }
        if opts.builds(EdgeKind::Realtime) {
            graph::realtime_edges(&txns.txns, &mut edges);
        }
        Ok(Analysis { txns, data, edges })
    }

    /// The evidence for edge `a -> b` of kind `kind`.
    fn why(&self, a: u32, b: u32, kind: EdgeKind) -> Option<Why> {
        let (ta, tb) = (&self.txns.txns[a as usize], &self.txns.txns[b as usize]);
        match kind {
            EdgeKind::Process => Some(Why::Process {
                process: ta.process,
            }),
            EdgeKind::Realtime => Some(Why::Realtime {
                completed: ta.complete_index?,
                invoked: tb.invoke_index,
            }),
            _ => match &self.data {
                Data::ListAppend(la) => la.why(a, b, kind),
                Data::RwRegister(rr) => rr.why(a, b, kind),
            },
        }
    }

    fn step(&self, a: u32, b: u32, kind: EdgeKind) -> Step {
        let why = self.why(a, b, kind).unwrap_or(Why::Unexplained);
        Step {
            from: self.txns.txns[a as usize].invoke_index,
            to: self.txns.txns[b as usize].invoke_index,
            edge: kind,
            why,
        }
    }
}

fn read_txns(history: &History, opts: &TxnOptions) -> Result<Txns, CheckError> {
    let mut reader = TxnReader::new(opts.workload);
    reader.push_history(history)?;
    reader.into_txns()
}

/// Checks a transactional history against [`TxnOptions::model`], finding every anomaly the
/// budget allows and the models they rule out.
///
/// To check a history too big to hold in memory, feed its ops to a [`TxnReader`] instead.
pub fn check(history: &History, opts: &TxnOptions) -> Result<TxnReport, CheckError> {
    check_txns(read_txns(history, opts)?, opts)
}

/// Checks transactions already read.
fn check_txns(txns: Txns, opts: &TxnOptions) -> Result<TxnReport, CheckError> {
    let deadline = cycles::Deadline::after(opts.time_limit);
    let mut found = Found::new(opts.max_witnesses);
    let mut analysis = Analysis::new(&txns, opts, &mut found)?;
    let edges = std::mem::take(&mut analysis.edges);
    let edge_count = edges.len();
    let g = graph::DepGraph::build(txns.txns.len(), edges);
    let orders = [EdgeKind::Process, EdgeKind::Realtime]
        .into_iter()
        .filter(|&k| opts.builds(k))
        .fold(0, |mask, k| mask | k.bit());
    let search = cycles::search(&g, deadline, opts.max_witnesses, orders);
    drop(g);
    for c in &search.found {
        found.add(c.kind, || {
            Explanation::Cycle(Cycle {
                txns: c.edges.iter().map(|&(a, _, _)| txns.txn_ref(a)).collect(),
                steps: c
                    .edges
                    .iter()
                    .map(|&(a, b, k)| analysis.step(a, b, k))
                    .collect(),
            })
        });
    }
    let committed = txns
        .txns
        .iter()
        .filter(|t| t.outcome == Outcome::Ok)
        .count();
    let ruled_out: Vec<ConsistencyModel> = ConsistencyModel::ALL
        .into_iter()
        .filter(|m| found.counts.keys().any(|&k| m.forbids(k)))
        .collect();
    let unsearched = opts.unsearched();
    let verdict = if found.counts.keys().any(|&k| opts.prohibits(k)) {
        Verdict::Invalid
    } else if let Some(reason) = &search.incomplete {
        Verdict::unknown(reason.clone())
    } else if committed == 0 {
        Verdict::unknown("no committed transactions to check")
    } else if edge_count == 0 && !ordered(&txns, opts) {
        Verdict::unknown(
            "the transaction graph has no edges (Elle's empty-transaction-graph): no transaction \
             read, overwrote or missed another's write, nor followed another in a process or in \
             real time, so there is no evidence about the order of transactions either way",
        )
    } else if !unsearched.is_empty() {
        let names: Vec<&str> = unsearched.iter().map(|k| k.name()).collect();
        Verdict::unknown(format!(
            "{} were not looked for, as process or real-time order was off",
            names.join(", ")
        ))
    } else {
        Verdict::Valid
    };
    Ok(TxnReport {
        verdict,
        model: opts.model,
        checked_for: opts.anomalies.clone(),
        workload: txns.workload,
        ruled_out,
        counts: found.counts.clone(),
        anomalies: found.anomalies,
        transactions: txns.txns.len(),
        committed,
        edges: edge_count,
        skipped_calls: txns.skipped,
        incomplete: search.incomplete,
    })
}

/// True when the options' process or real-time order relates some two transactions, whether or
/// not those edges were built: a graph that is empty only because an order the question does not
/// need was left out still has evidence.
fn ordered(txns: &Txns, opts: &TxnOptions) -> bool {
    (opts.process_order && graph::any_process_edge(&txns.txns))
        || (opts.realtime_order && graph::any_realtime_edge(&txns.txns))
}

/// Every edge of a history's dependency graph with its reason, for showing a small history's
/// graph (the graph of a big one is large: prefer [`check`]).
pub fn dependencies(history: &History, opts: &TxnOptions) -> Result<Vec<Step>, CheckError> {
    let txns = read_txns(history, opts)?;
    let mut found = Found::new(0);
    let analysis = Analysis::new(&txns, opts, &mut found)?;
    let mut edges = analysis.edges.clone();
    edges.sort_unstable();
    edges.dedup();
    Ok(edges
        .iter()
        .map(|&(a, b, k)| analysis.step(a, b, k))
        .collect())
}
