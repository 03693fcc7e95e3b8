//! The client side of a described system: a [`Driver`] over one driver process, whose clients
//! are opened, invoked and closed by JSON lines.

use super::process::{DriverCommand, DriverProcess, NoAnswer};
use super::protocol::{Answer, NodeInfo, Request, VERSION};
use crate::system::{
    async_trait, Client, ClientError, Completion, Driver, DriverContext, DriverFailure,
    FailureKind, Reply,
};
use crate::workload::Operation;
use faults::NodeId;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How long a driver has to answer the handshake (it may load a runtime first).
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// One driver process serving every client of a run.
pub struct JsonlDriver {
    process: Arc<DriverProcess>,
    nodes: usize,
    op_timeout: Duration,
}

impl JsonlDriver {
    /// Starts `command` and shakes hands with it: the protocol version, the workload, the nodes
    /// and `options`. `Err` when it cannot start, refuses, exits or answers anything else.
    pub async fn start(
        command: &DriverCommand,
        context: &DriverContext,
        options: &Map<String, Value>,
    ) -> Result<JsonlDriver, DriverFailure> {
        let process = DriverProcess::spawn(command)?;
        let id = process.fresh_id();
        let hello = Request::Hello {
            id,
            protocol: VERSION,
            workload: context.workload,
            workload_options: &context.workload_config,
            nodes: context.nodes.iter().map(NodeInfo::from).collect(),
            options,
            op_timeout_ms: context.op_timeout.as_millis() as u64,
        };
        let refused = |reason: String| DriverFailure {
            driver: command.line(),
            reason,
        };
        match process
            .call(id, &hello, Instant::now() + HELLO_TIMEOUT)
            .await
        {
            Ok(Answer::Ok { .. }) => {}
            Ok(Answer::Fail { error, .. } | Answer::Info { error, .. }) => {
                return Err(refused(format!("refused the handshake: {error}")))
            }
            Err(NoAnswer::Timeout) => {
                return Err(refused(format!(
                    "did not answer the handshake within {HELLO_TIMEOUT:?} (does it flush \
                     its standard output after each line?)"
                )))
            }
            Err(NoAnswer::Ended(f) | NoAnswer::NotSent(f)) => return Err(f),
        }
        Ok(JsonlDriver {
            process: Arc::new(process),
            nodes: context.nodes.len(),
            op_timeout: context.op_timeout,
        })
    }
}

#[async_trait]
impl Driver for JsonlDriver {
    async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError> {
        let name = node.to_string();
        let error = |kind, detail: String| ClientError::new(&name, kind, detail);
        let id = self.process.fresh_id();
        let request = Request::Open { id, node: node.0 };
        match self
            .process
            .call(id, &request, Instant::now() + self.op_timeout)
            .await
        {
            Ok(Answer::Ok { .. }) => Ok(Box::new(JsonlClient {
                process: self.process.clone(),
                id,
                nodes: self.nodes,
            })),
            Ok(Answer::Fail {
                error: e,
                definite: true,
                ..
            }) => Err(error(FailureKind::Unreachable, e.to_string())),
            Ok(Answer::Fail { error: e, .. } | Answer::Info { error: e, .. }) => {
                Err(error(FailureKind::ServerError, e.to_string()))
            }
            Err(NoAnswer::Timeout) => Err(error(
                FailureKind::TimedOut,
                "the driver did not answer open by the deadline".into(),
            )),
            Err(NoAnswer::Ended(f) | NoAnswer::NotSent(f)) => {
                Err(error(FailureKind::Unreachable, f.to_string()))
            }
        }
    }

    async fn finish(&self) {
        self.process.finish().await;
    }

    fn failure(&self) -> Option<DriverFailure> {
        self.process.failure()
    }
}

/// A client the driver opened: named by the id of its `open`.
struct JsonlClient {
    process: Arc<DriverProcess>,
    id: u64,
    nodes: usize,
}

#[async_trait]
impl Client for JsonlClient {
    async fn invoke(&mut self, op: &Operation, deadline: Instant) -> Reply {
        let id = self.process.fresh_id();
        let request = Request::Invoke {
            id,
            client: self.id,
            op: op.into(),
            deadline_ms: deadline
                .saturating_duration_since(Instant::now())
                .as_millis() as u64,
        };
        let (completion, served) = match self.process.call(id, &request, deadline).await {
            Ok(Answer::Ok {
                value, served_by, ..
            }) => (
                Completion::Ok(value.unwrap_or_else(|| op.value())),
                served_by,
            ),
            Ok(Answer::Fail {
                error,
                definite: true,
                served_by,
                ..
            }) => (Completion::Fail(error), served_by),
            // A failure that does not say it is definite may have taken effect.
            Ok(
                Answer::Fail {
                    error, served_by, ..
                }
                | Answer::Info {
                    error, served_by, ..
                },
            ) => (Completion::Info(error), served_by),
            Err(NoAnswer::Timeout) => (
                Completion::info("timeout: the driver did not answer by the deadline"),
                None,
            ),
            Err(NoAnswer::Ended(f)) => (Completion::Info(json!(f.to_string())), None),
            // Nothing was sent: the operation certainly had no effect.
            Err(NoAnswer::NotSent(f)) => (Completion::Fail(json!(f.to_string())), None),
        };
        Reply {
            completion,
            served_by: served.filter(|&n| n < self.nodes).map(NodeId),
        }
    }

    async fn close(&mut self) {
        let _ = self.process.send(&Request::Close { client: self.id });
    }
}
