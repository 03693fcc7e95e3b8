//! A client process's client: every operation is one transaction (micro-ops, a transfer, a read
//! of every balance). Transactions that write go to the primary; read-only ones go to
//! the primary or, with `reads = own-node`, to the process's own node. One connection per
//! server it talks to, opened when first needed and again after it broke.

use crate::adapter::PRIMARY;
use crate::connection::Connection;
use crate::options::{Isolation, Reads};
use crate::txn::{self, Begin, Ended, Keys, Work};
use faults::NodeId;
use runner::system::{async_trait, Client, ClientError, Completion, FailureKind, Reply};
use runner::workload::{BankOp, Operation};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// One client process's connections.
pub struct PostgresClient {
    node: NodeId,
    /// What transactions' micro-ops' keys name (none in the bank workload).
    keys: Option<Keys>,
    /// Whether a transfer may overdraw its account (bank).
    overdraw: bool,
    isolation: Isolation,
    reads: Reads,
    /// Every node's address, in id order.
    addrs: Vec<SocketAddr>,
    /// How long a connection may take to open.
    connect_timeout: Duration,
    /// The open connections, by node.
    connections: Vec<Option<Connection>>,
}

impl PostgresClient {
    /// A client on `node` of the servers at `addrs`, none connected yet.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        node: NodeId,
        keys: Option<Keys>,
        overdraw: bool,
        isolation: Isolation,
        reads: Reads,
        addrs: Vec<SocketAddr>,
        connect_timeout: Duration,
    ) -> PostgresClient {
        let connections = addrs.iter().map(|_| None).collect();
        PostgresClient {
            node,
            keys,
            overdraw,
            isolation,
            reads,
            addrs,
            connect_timeout,
            connections,
        }
    }

    /// What `op` does in a transaction; `Err` for an operation these clients have not.
    fn work(&self, op: &Operation) -> Result<Work, String> {
        match (op, self.keys) {
            (Operation::Txn(ops), Some(keys)) => {
                Ok(Work::Micro(ops.clone(), txn::statements(keys, ops)?))
            }
            (&Operation::Bank(BankOp::Transfer { from, to, amount }), _) => Ok(Work::Transfer {
                from: from as i64,
                to: to as i64,
                amount: amount as i64,
                overdraw: self.overdraw,
            }),
            (Operation::Bank(BankOp::Read), _) => Ok(Work::Balances),
            (other, _) => Err(format!(
                "PostgreSQL's clients of this workload have no {} operation",
                other.f()
            )),
        }
    }

    /// The node a transaction goes to, and how it begins there.
    fn route(&self, read_only: bool) -> (NodeId, Begin) {
        match self.reads {
            Reads::OwnNode if read_only && self.node != PRIMARY => (
                self.node,
                Begin {
                    isolation: self.isolation.on_standby(),
                    read_only: true,
                },
            ),
            _ => (
                PRIMARY,
                Begin {
                    isolation: self.isolation,
                    read_only: false,
                },
            ),
        }
    }

    /// An open connection to `node`, opening one if there is none or it broke.
    async fn connection(&mut self, node: NodeId, deadline: Instant) -> Result<&Connection, String> {
        let slot = &mut self.connections[node.0];
        if slot.as_ref().is_none_or(Connection::is_closed) {
            *slot = None;
            let timeout = self
                .connect_timeout
                .min(deadline.saturating_duration_since(Instant::now()));
            *slot = Some(Connection::open(self.addrs[node.0], timeout).await?);
        }
        Ok(slot.as_ref().expect("just opened"))
    }

    async fn transaction(&mut self, op: &Operation, deadline: Instant) -> Reply {
        let work = match self.work(op) {
            Ok(w) => w,
            Err(why) => return Completion::fail(why).into(),
        };
        let (server, begin) = self.route(work.read_only());
        let name = server.to_string();
        let served_by = (server != self.node).then_some(server);
        let reply = |completion: Completion| Reply {
            completion,
            served_by,
        };
        let conn = match self.connection(server, deadline).await {
            Ok(c) => c,
            Err(why) => {
                return reply(ClientError::new(&name, FailureKind::Unreachable, why).into())
            }
        };
        let commit_sent = AtomicBool::new(false);
        let call = txn::run(&conn.client, begin, &work, &commit_sent);
        match tokio::time::timeout_at(deadline, call).await {
            Ok(Ok(Ended::Committed(read))) => reply(Completion::Ok(match work {
                Work::Transfer { .. } => op.value(),
                _ => read,
            })),
            Ok(Ok(Ended::RolledBack(why))) => reply(Completion::fail(why)),
            Ok(Err(e)) => {
                let kind = txn::classify(&e, commit_sent.load(Ordering::SeqCst));
                let detail = txn::describe(&e);
                // A failed statement leaves the transaction aborted until it is rolled back;
                // a connection that cannot do even that is dropped.
                let rolled_back =
                    tokio::time::timeout_at(deadline, conn.client.batch_execute("ROLLBACK")).await;
                if !matches!(rolled_back, Ok(Ok(()))) {
                    self.connections[server.0] = None;
                }
                reply(ClientError::new(&name, kind, detail).into())
            }
            Err(_) => {
                // Dropping the connection closes it: a transaction whose COMMIT was not sent
                // is rolled back by the server.
                self.connections[server.0] = None;
                let (kind, when) = if commit_sent.load(Ordering::SeqCst) {
                    (FailureKind::TimedOut, "after COMMIT was sent")
                } else {
                    (
                        FailureKind::Rejected,
                        "before COMMIT was sent; the connection was closed",
                    )
                };
                reply(ClientError::new(&name, kind, format!("timed out {when}")).into())
            }
        }
    }
}

#[async_trait]
impl Client for PostgresClient {
    async fn invoke(&mut self, op: &Operation, deadline: Instant) -> Reply {
        self.transaction(op, deadline).await
    }

    async fn close(&mut self) {
        self.connections.clear();
    }
}
