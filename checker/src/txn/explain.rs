//! Anomalies explained: data first (Serialize), rendered in words by `Display`.

use super::anomaly::AnomalyKind;
use super::graph::EdgeKind;
use super::mop::Atom;
use super::txn_ref::TxnRef;
use histories::{Outcome, Process};
use serde::Serialize;
use std::fmt;

/// A state of one key: a list (list-append) or a register's value (`None`: never written).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Version {
    /// The elements of a list, in order.
    List(Vec<Atom>),
    /// A register's value.
    Register(Option<Atom>),
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::List(xs) => write!(f, "{}", list(xs)),
            Version::Register(None) => f.write_str("nil"),
            Version::Register(Some(v)) => write!(f, "{v}"),
        }
    }
}

pub(crate) fn list(xs: &[Atom]) -> String {
    format!(
        "[{}]",
        xs.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// Why one transaction must precede another: the reason for one edge of the dependency graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Why {
    /// ww: the first appended (wrote) `before`, the second `after`, which directly follows it in
    /// the key's version order.
    Overwrote {
        /// The key.
        key: Atom,
        /// The first transaction's element (value).
        before: Atom,
        /// The second transaction's element (value).
        after: Atom,
        /// True for list-append (appended), false for registers (wrote).
        append: bool,
    },
    /// wr: the second read `read`, whose latest element (value) `value` the first appended (wrote).
    Read {
        /// The key.
        key: Atom,
        /// What the second transaction read.
        read: Version,
        /// The element (value) the first transaction wrote.
        value: Atom,
        /// True for list-append.
        append: bool,
    },
    /// rw: the first read `read`, and the second appended (wrote) `value`, the next version,
    /// which the first did not see.
    Missed {
        /// The key.
        key: Atom,
        /// What the first transaction read.
        read: Version,
        /// The element (value) the second transaction wrote.
        value: Atom,
        /// True for list-append.
        append: bool,
    },
    /// process: the same process ran the first, then the second.
    Process {
        /// The process.
        process: Process,
    },
    /// The edge is in the graph but its evidence could not be found again (a checker bug if it
    /// ever shows).
    Unexplained,
    /// realtime: the first completed before the second was invoked.
    Realtime {
        /// Index of the first's completion op.
        completed: u64,
        /// Index of the second's invocation op.
        invoked: u64,
    },
}

/// One edge of a cycle: `from < to` because `why`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The transaction that must come first (its invocation index).
    pub from: u64,
    /// The transaction that must come after.
    pub to: u64,
    /// The kind of dependency.
    pub edge: EdgeKind,
    /// The evidence.
    pub why: Why,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = (format!("T{}", self.from), format!("T{}", self.to));
        write!(f, "{a} < {b} ({}) because ", self.edge)?;
        let verb = |append: bool| if append { "appended" } else { "wrote" };
        match &self.why {
            Why::Overwrote {
                key,
                before,
                after,
                append,
            } => write!(
                f,
                "{a} {} {before} to {key} and {b} {} {after}, which comes next in {key}'s version order",
                verb(*append),
                verb(*append)
            ),
            Why::Read {
                key,
                read,
                value,
                append,
            } => {
                if *append {
                    write!(f, "{b} read {key} = {read}, whose last element {value} {a} appended")
                } else {
                    write!(f, "{b} read {key} = {read}, which {a} wrote")
                }
            }
            Why::Missed {
                key,
                read,
                value,
                append,
            } => write!(
                f,
                "{a} read {key} = {read}, and {b} {} {value}, the next version of {key}, which {a} did not see",
                verb(*append)
            ),
            Why::Process { process } => write!(f, "process {process} ran {a} and then {b}"),
            Why::Unexplained => f.write_str("the graph has this edge, but its evidence was not found again"),
            Why::Realtime { completed, invoked } => write!(
                f,
                "{a} completed (op {completed}) before {b} was invoked (op {invoked})"
            ),
        }
    }
}

/// A cycle in the dependency graph: the transactions involved and each edge's reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cycle {
    /// The transactions, in cycle order.
    pub txns: Vec<TxnRef>,
    /// The edges, `steps[i]` from `txns[i]` to `txns[i + 1]` (the last back to the first).
    pub steps: Vec<Step>,
}

/// The evidence for one anomaly.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Explanation {
    /// A dependency cycle.
    Cycle(Cycle),
    /// A committed transaction read what a failed transaction wrote (G1a).
    AbortedRead {
        /// The reader.
        reader: TxnRef,
        /// The failed writer.
        writer: TxnRef,
        /// The key.
        key: Atom,
        /// The aborted element (value).
        value: Atom,
        /// What was read.
        read: Version,
    },
    /// A committed transaction read a version its writer later overwrote in the same transaction
    /// (G1b).
    IntermediateRead {
        /// The reader.
        reader: TxnRef,
        /// The writer.
        writer: TxnRef,
        /// The key.
        key: Atom,
        /// The intermediate element (value).
        value: Atom,
        /// What was read.
        read: Version,
        /// The writer's final element (value) for the key.
        last: Atom,
    },
    /// A transaction's read disagrees with its own earlier reads and writes.
    Internal {
        /// The transaction.
        txn: TxnRef,
        /// The key.
        key: Atom,
        /// What its own earlier micro-ops imply the read must show (for list-append with no
        /// earlier read: the suffix the list must end with).
        expected: Version,
        /// What it read.
        read: Version,
    },
    /// A transaction read an element that it appended only later itself (list-append).
    FutureRead {
        /// The transaction.
        txn: TxnRef,
        /// The key.
        key: Atom,
        /// What it read.
        read: Vec<Atom>,
        /// The element it read before appending it.
        element: Atom,
    },
    /// A committed transaction appended right after a failed one in a key's version order, with
    /// only indeterminate appends between (list-append).
    DirtyUpdate {
        /// The key.
        key: Atom,
        /// The failed transaction.
        aborted: TxnRef,
        /// The committed transaction whose append builds on it.
        committed: TxnRef,
        /// The elements from the failed transaction's through the committed one's, in version
        /// order.
        values: Vec<Atom>,
    },
    /// A read shows the same element twice.
    DuplicateElements {
        /// The reader.
        txn: TxnRef,
        /// The key.
        key: Atom,
        /// What was read.
        read: Vec<Atom>,
        /// The elements seen more than once.
        duplicates: Vec<Atom>,
    },
    /// Two reads of a key that no single order explains: neither is a prefix of the other.
    IncompatibleOrder {
        /// The key.
        key: Atom,
        /// A transaction and what it read.
        first: TxnRef,
        /// Its read.
        first_read: Vec<Atom>,
        /// Another transaction and what it read.
        second: TxnRef,
        /// Its read.
        second_read: Vec<Atom>,
    },
    /// Committed transactions that read the same version of a key and all wrote it.
    LostUpdate {
        /// The key.
        key: Atom,
        /// The version they all read.
        read: Version,
        /// The transactions.
        txns: Vec<TxnRef>,
    },
    /// A read of a value no transaction wrote.
    GarbageRead {
        /// The reader.
        reader: TxnRef,
        /// The key.
        key: Atom,
        /// The value no one wrote.
        value: Atom,
        /// What was read.
        read: Version,
    },
}

/// One anomaly found in a history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomaly {
    /// Its kind, as named in the literature.
    pub kind: AnomalyKind,
    /// The evidence.
    pub explanation: Explanation,
}

impl Anomaly {
    /// The transactions this anomaly involves.
    pub fn txns(&self) -> Vec<&TxnRef> {
        match &self.explanation {
            Explanation::Cycle(c) => c.txns.iter().collect(),
            Explanation::AbortedRead { reader, writer, .. }
            | Explanation::IntermediateRead { reader, writer, .. } => vec![reader, writer],
            Explanation::Internal { txn, .. } | Explanation::DuplicateElements { txn, .. } => {
                vec![txn]
            }
            Explanation::IncompatibleOrder { first, second, .. } => vec![first, second],
            Explanation::FutureRead { txn, .. } => vec![txn],
            Explanation::DirtyUpdate {
                aborted, committed, ..
            } => vec![aborted, committed],
            Explanation::LostUpdate { txns, .. } => txns.iter().collect(),
            Explanation::GarbageRead { reader, .. } => vec![reader],
        }
    }
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kind)?;
        match &self.explanation {
            Explanation::Cycle(c) => {
                writeln!(f, "a cycle of {} transactions", c.txns.len())?;
                for s in &c.steps {
                    writeln!(f, "  {s}")?;
                }
            }
            Explanation::AbortedRead {
                reader,
                writer,
                key,
                value,
                read,
            } => writeln!(
                f,
                "{reader} read {key} = {read}, including {value}, which {writer} wrote before it failed"
            )?,
            Explanation::IntermediateRead {
                reader,
                writer,
                key,
                value,
                read,
                last,
            } => writeln!(
                f,
                "{reader} read {key} = {read}, ending in {value}, an intermediate state of {writer}, \
                 which went on to write {last} to {key}"
            )?,
            Explanation::Internal {
                txn,
                key,
                expected,
                read,
            } => writeln!(
                f,
                "{txn} read {key} = {read}, but its own earlier micro-ops imply {expected}"
            )?,
            Explanation::DuplicateElements {
                txn,
                key,
                read,
                duplicates,
            } => writeln!(
                f,
                "{txn} read {key} = {}, in which {} appear more than once",
                list(read),
                list(duplicates)
            )?,
            Explanation::IncompatibleOrder {
                key,
                first,
                first_read,
                second,
                second_read,
            } => writeln!(
                f,
                "{first} read {key} = {} and {second} read {key} = {}: neither is a prefix of the other",
                list(first_read),
                list(second_read)
            )?,
            Explanation::FutureRead {
                txn,
                key,
                read,
                element,
            } => writeln!(
                f,
                "{txn} read {key} = {}, including {element}, which it appended only afterwards",
                list(read)
            )?,
            Explanation::DirtyUpdate {
                key,
                aborted,
                committed,
                values,
            } => writeln!(
                f,
                "{key}'s version order runs {}: {committed} committed an append after {aborted}'s, \
                 which failed, so {committed} built on a state that never committed",
                list(values)
            )?,
            Explanation::LostUpdate { key, read, txns } => writeln!(
                f,
                "{} all read {key} = {read} and all wrote {key}; only one of them can have seen the state the others left",
                txns.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
            )?,
            Explanation::GarbageRead {
                reader,
                key,
                value,
                read,
            } => writeln!(
                f,
                "{reader} read {key} = {read}, but no transaction wrote {value} to {key}"
            )?,
        }
        for t in self.txns() {
            writeln!(
                f,
                "  where {t} = process {}, {}: {}",
                t.process,
                outcome(t.outcome),
                t.mops_text()
            )?;
        }
        Ok(())
    }
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Fail => "fail",
        Outcome::Info => "info",
    }
}
