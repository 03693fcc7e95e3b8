//! The client side of a system under test. A [`Driver`] is made once per run; it opens a
//! [`Client`] on a node for each client process (Jepsen's `open!`), which invokes one
//! [`Operation`] at a time with a deadline and says how it ended (a [`Reply`]), and is closed when
//! its process ends (after an indefinite outcome, a process never runs again: its client is
//! closed and a fresh process opens a new one on the same node).
//!
//! A client classifies its failures where it sees them: a definite failure (the operation
//! certainly had no effect) is `fail`; anything else is `info`; when in doubt, `info`
//! ([`ClientError`]). The runner records the invocation before calling [`Client::invoke`], and
//! records `info` itself when the call outlives its deadline by more than a short grace.

use super::adapter::NodeSpec;
use super::client_error::ClientError;
use crate::workload::{Operation, WorkloadConfig, WorkloadKind};
use faults::NodeId;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::Instant;

pub use async_trait::async_trait;

/// How a call returned.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// It took effect; the result (see [`crate::workload::operation`] for each operation's).
    Ok(Value),
    /// It definitely did not take effect; the error.
    Fail(Value),
    /// Unknown: a timeout or an indefinite error; the error.
    Info(Value),
}

impl Completion {
    /// A definite failure described in words.
    pub fn fail(why: impl Into<String>) -> Completion {
        Completion::Fail(json!(why.into()))
    }

    /// An indefinite outcome described in words.
    pub fn info(why: impl Into<String>) -> Completion {
        Completion::Info(json!(why.into()))
    }
}

impl From<ClientError> for Completion {
    /// `fail` when the error is definite, `info` otherwise.
    fn from(e: ClientError) -> Completion {
        if e.is_definite() {
            Completion::Fail(json!(e.to_string()))
        } else {
            Completion::Info(json!(e.to_string()))
        }
    }
}

/// How a call ended, and which node answered it when that is not the node it was sent to (a
/// write forwarded to the primary).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The outcome.
    pub completion: Completion,
    /// The node that served the call, when the client knows it differs from its own.
    pub served_by: Option<NodeId>,
}

impl From<Completion> for Reply {
    fn from(completion: Completion) -> Reply {
        Reply {
            completion,
            served_by: None,
        }
    }
}

impl From<ClientError> for Reply {
    fn from(e: ClientError) -> Reply {
        Completion::from(e).into()
    }
}

/// What a driver is told about the run it serves.
#[derive(Debug, Clone)]
pub struct DriverContext {
    /// Every node, in id order, as the cluster started them (addresses, ports, data dirs).
    pub nodes: Vec<NodeSpec>,
    /// The workload the clients run.
    pub workload: WorkloadKind,
    /// Its options: how many keys (or bank accounts), the bank's opening balance, whether
    /// transfers may overdraw; a driver that sets up state (tables, accounts) reads them here.
    pub workload_config: WorkloadConfig,
    /// How long a call may take before it is recorded as info.
    pub op_timeout: Duration,
    /// A directory for the driver's own logs (the run's `nodes/` directory), if the run is
    /// stored.
    pub log_dir: Option<PathBuf>,
}

/// Why a driver can serve no more calls: a driver process that exited, or broke its protocol
/// (the reason names the line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("driver `{driver}` {reason}")]
pub struct DriverFailure {
    /// The driver (its command line).
    pub driver: String,
    /// What happened.
    pub reason: String,
}

/// Opens clients on nodes; one per run, shared by every client process.
#[async_trait]
pub trait Driver: Send + Sync {
    /// Opens a client on `node` for one client process. `Err` when no client could be made
    /// (the process's operation is then recorded as a definite failure and the next one tries
    /// again).
    async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError>;

    /// Ends the driver after the last client closed (stops a driver process, closes shared
    /// connections).
    async fn finish(&self) {}

    /// Why the driver can serve no more calls, once it cannot: the run then stops issuing
    /// operations, skips its final reads, stores and checks the history it has, and ends with
    /// this error. Built-in drivers never fail as a whole.
    fn failure(&self) -> Option<DriverFailure> {
        None
    }
}

/// One client process's connection to one node.
#[async_trait]
pub trait Client: Send {
    /// Performs `op`, giving up by `deadline` (a call still running then is abandoned by the
    /// runner and recorded as info).
    async fn invoke(&mut self, op: &Operation, deadline: Instant) -> Reply;

    /// Closes the client; called when its process ends.
    async fn close(&mut self) {}
}
