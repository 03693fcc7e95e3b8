//! The runner's one error type: everything that can stop rift from carrying out a run, a
//! cluster, a campaign or a store operation. These are failures of rift (a bad option, a file it
//! cannot write, a node that never became ready), never entries in a history: a client call that
//! fails is recorded as `fail` or `info` (see [`crate::system::ClientError`]).

use crate::workload::WorkloadKind;
use faults::{FaultKind, NodeId};
use std::path::PathBuf;

/// Why rift's runner could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    // ---- configuration: run config files and options, workloads, nemeses, campaigns ----
    /// A run config (TOML) could not be read.
    #[error("cannot read config {path}: {source}")]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A run config (TOML) is not valid.
    #[error("config {path}: {message}")]
    ConfigParse {
        /// The file.
        path: PathBuf,
        /// What toml says (with line and column).
        message: String,
    },
    /// An option out of range.
    #[error("option {option}: {message}")]
    Invalid {
        /// The option.
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No system of that name is registered.
    #[error("no system {name:?} in this rift (registered: {registered})")]
    UnknownSystem {
        /// The name asked for.
        name: String,
        /// The registered names.
        registered: String,
    },
    /// The registry has no system at all, so there is no default one.
    #[error("no system is registered in this rift")]
    NoSystems,
    /// A system description file (TOML) cannot be used.
    #[error("system description {path}: {message}")]
    Description {
        /// The file.
        path: PathBuf,
        /// What is wrong, and what was expected.
        message: String,
    },
    /// A system refused its options.
    #[error("system {system}: {message}")]
    SystemOptions {
        /// The system.
        system: String,
        /// What is wrong.
        message: String,
    },
    /// The system's clients cannot run the workload asked for.
    #[error("{system} has no \"{workload}\" workload in rift; use {workloads}")]
    NoSuchWorkload {
        /// The system.
        system: String,
        /// The workload asked for.
        workload: WorkloadKind,
        /// The workloads it has.
        workloads: String,
    },
    /// A workload's op mix names an op the workload does not have.
    #[error("workload {workload} has no op {f:?} (its ops: {known})")]
    UnknownOp {
        /// The workload.
        workload: WorkloadKind,
        /// The op named.
        f: String,
        /// The ops it has.
        known: String,
    },
    /// Every weight of a workload's op mix is zero.
    #[error("the op mix of workload {0} gives every op weight 0")]
    EmptyMix(WorkloadKind),
    /// A workload count that must be positive is zero.
    #[error("workload {workload}: {what} must be at least 1")]
    Zero {
        /// The workload.
        workload: WorkloadKind,
        /// The option.
        what: &'static str,
    },
    /// The nemesis interval is not a positive number of seconds.
    #[error("nemesis interval must be a positive number of seconds, got {0}")]
    Interval(f64),
    /// Faults are asked for, but no target or partition shape to draw them with.
    #[error("nemesis faults of kind {fault:?} need at least one {what}")]
    NothingToFault {
        /// The fault kind.
        fault: FaultKind,
        /// What is missing (target, partition shape).
        what: &'static str,
    },
    /// A nemesis target or shape that does not fit the cluster.
    #[error("nemesis {what} {value} does not fit a cluster of {nodes} nodes: {reason}")]
    DoesNotFit {
        /// target or partition shape.
        what: &'static str,
        /// The target or shape, as JSON.
        value: String,
        /// Nodes in the cluster.
        nodes: usize,
        /// Why.
        reason: String,
    },
    /// A packet-loss probability outside (0, 1].
    #[error("packet loss probability must be in (0, 1], got {0}")]
    PacketLoss(f64),
    /// A campaign file could not be read.
    #[error("cannot read campaign {path}: {source}")]
    CampaignRead {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A campaign file is not a valid campaign.
    #[error("campaign {path}: {message}")]
    CampaignParse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    // ---- clusters: nodes, namespaces, faults ----
    /// A fault mechanism failed (a command, a signal, a file).
    #[error(transparent)]
    Fault(#[from] faults::FaultError),
    /// A node's process could not be started.
    #[error("cannot start node {node} (`{command}`): {source}")]
    Spawn {
        /// The node.
        node: NodeId,
        /// Its command line.
        command: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// A node did not become ready in time.
    #[error("node {node} was not ready after {waited_ms} ms: {last}; {log_tail}")]
    NotReady {
        /// The node.
        node: NodeId,
        /// How long rift waited.
        waited_ms: u128,
        /// The last readiness probe's answer.
        last: String,
        /// The end of the node's log, in words: the log itself goes with the run's directory.
        log_tail: String,
    },
    /// A node exited while rift waited for it to become ready.
    #[error("node {node} exited before it was ready; {log_tail}")]
    Exited {
        /// The node.
        node: NodeId,
        /// The end of the node's log, in words: the log itself goes with the run's directory.
        log_tail: String,
    },
    /// A node's setup command failed or did not finish.
    #[error("node {node}: setup command `{command}` failed: {message}")]
    Setup {
        /// The node.
        node: NodeId,
        /// The command line.
        command: String,
        /// Its status and output, or why it could not run.
        message: String,
    },
    /// An adapter could not say how to start a node.
    #[error("node {node}: {message}")]
    Adapter {
        /// The node.
        node: NodeId,
        /// The adapter's words.
        message: String,
    },
    /// The cluster's configuration cannot be used.
    #[error("invalid cluster configuration: {0}")]
    Cluster(String),
    /// A host of the SSH backend cannot be reached or cannot do what a run needs.
    #[error("host {host}: {message}")]
    Host {
        /// The host, as the configuration names it.
        host: String,
        /// What went wrong, in the host's or the SSH client's words.
        message: String,
    },
    /// A program the cluster needs was not found.
    #[error("cannot find {program}: {searched}")]
    NotFound {
        /// The program.
        program: String,
        /// Where rift looked.
        searched: String,
    },
    /// A persisted cluster state could not be read.
    #[error("cannot read run state {path}: {message}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },

    // ---- files: the run store, the history being recorded ----
    /// A file or directory could not be made, written or read.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What rift tried to do.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A JSON file of the run store is not what rift writes.
    #[error("{path}:{line}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
        /// serde's message.
        message: String,
    },
    /// A stored history could not be read (boxed: a history error is large, and every result of
    /// the runner carries this enum).
    #[error(transparent)]
    History(Box<histories::HistoryError>),
    /// The directory is not a run directory.
    #[error("{0} is not a rift run directory (no run.json)")]
    NotARun(PathBuf),
    /// The recorded history could not be read back from its file.
    #[error("cannot read back the history it recorded: {0}")]
    ReadBack(Box<histories::HistoryError>),
    /// The history writer thread stopped before the run ended.
    #[error("the history writer for {0} stopped unexpectedly")]
    WriterGone(PathBuf),

    // ---- the run itself ----
    /// The async runtime could not start.
    #[error("cannot start the client runtime: {0}")]
    Runtime(std::io::Error),
    /// The system's driver could not start (it exited, refused the handshake or broke the
    /// protocol before the run began).
    #[error(transparent)]
    Driver(#[from] crate::system::DriverFailure),
    /// The system's driver failed during the run; the history up to then is stored and checked.
    #[error("{failure}; the run stopped there, and its history so far is kept in {history} and checked ({verdict})")]
    DriverFailed {
        /// What the driver did.
        failure: crate::system::DriverFailure,
        /// The stored history.
        history: PathBuf,
        /// The verdict on it, in words.
        verdict: String,
    },
    /// A thread of the run panicked.
    #[error("the {0} thread panicked")]
    Panicked(&'static str),
}

impl RunError {
    /// A function turning an I/O error on `path` into [`RunError::Io`], for `map_err`.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| RunError::Io {
            action,
            path,
            source,
        }
    }
}

impl From<histories::HistoryError> for RunError {
    fn from(e: histories::HistoryError) -> RunError {
        RunError::History(Box::new(e))
    }
}

impl From<RunError> for faults::FaultError {
    fn from(e: RunError) -> faults::FaultError {
        match e {
            RunError::Fault(f) => f,
            other => faults::FaultError::Backend {
                what: "cluster".into(),
                source: Box::new(other),
            },
        }
    }
}
