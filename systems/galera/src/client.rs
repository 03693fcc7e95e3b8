//! One client process's connection to its own Galera node, running each operation as one
//! transaction: `START TRANSACTION`, the micro-ops in order, `COMMIT`.

use crate::failure::Failure;
use crate::schema::{self, Table};
use faults::NodeId;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};
use runner::system::{async_trait, Client, ClientError, Completion, FailureKind, Reply};
use runner::workload::{MicroOp, Operation};
use serde_json::{json, Value};
use tokio::time::Instant;

/// A connection to one node, reopened after it broke.
pub struct GaleraClient {
    node: NodeId,
    opts: Opts,
    table: Table,
    conn: Option<Conn>,
}

impl GaleraClient {
    /// A client of `node` over `conn`, which `opts` reopens.
    pub fn new(node: NodeId, opts: Opts, table: Table, conn: Conn) -> GaleraClient {
        GaleraClient {
            node,
            opts,
            table,
            conn: Some(conn),
        }
    }

    /// Runs `ops` as one transaction on `conn`; the micro-ops with reads filled in.
    async fn txn(&self, conn: &mut Conn, ops: &[MicroOp]) -> Result<Value, Failure> {
        conn.query_drop("START TRANSACTION")
            .await
            .map_err(Failure::Before)?;
        let mut done = Vec::with_capacity(ops.len());
        for m in ops {
            let read = match *m {
                MicroOp::Read { key } => {
                    let row: Option<String> = conn
                        .exec_first(self.table.read(), (key,))
                        .await
                        .map_err(Failure::Before)?;
                    let list =
                        schema::list(row.as_deref().unwrap_or("")).map_err(Failure::Unreadable)?;
                    json!(list)
                }
                MicroOp::Append { key, value } => {
                    conn.exec_drop(self.table.write(), (key, value.to_string()))
                        .await
                        .map_err(Failure::Before)?;
                    Value::Null
                }
                MicroOp::Write { .. } => {
                    return Err(Failure::RolledBack(
                        "list-append transactions append and read; they do not write".into(),
                    ))
                }
            };
            done.push(m.encode(read));
        }
        conn.query_drop("COMMIT").await.map_err(Failure::AtCommit)?;
        Ok(Value::Array(done))
    }

    /// Runs `op` on the open connection (opening one first if the last broke).
    async fn run(&mut self, op: &Operation) -> Completion {
        let Operation::Txn(ops) = op else {
            return Completion::fail(format!("galera has no {} operation", op.f()));
        };
        let mut conn = match self.conn.take() {
            Some(c) => c,
            None => match Conn::new(self.opts.clone()).await {
                Ok(c) => c,
                Err(e) => return self.error(FailureKind::Unreachable, e).into(),
            },
        };
        match self.txn(&mut conn, ops).await {
            Ok(value) => {
                self.conn = Some(conn);
                Completion::Ok(value)
            }
            Err(f) => {
                if f.keeps_connection() && conn.query_drop("ROLLBACK").await.is_ok() {
                    self.conn = Some(conn);
                }
                f.classify(&self.node.to_string()).into()
            }
        }
    }

    fn error(&self, kind: FailureKind, e: mysql_async::Error) -> ClientError {
        ClientError::new(&self.node.to_string(), kind, e.to_string())
    }
}

#[async_trait]
impl Client for GaleraClient {
    async fn invoke(&mut self, op: &Operation, deadline: Instant) -> Reply {
        match tokio::time::timeout_at(deadline, self.run(op)).await {
            Ok(c) => c.into(),
            // The connection is in the middle of something: it is dropped with the call.
            Err(_) => ClientError::new(
                &self.node.to_string(),
                FailureKind::TimedOut,
                "no answer before the deadline",
            )
            .into(),
        }
    }

    async fn close(&mut self) {
        if let Some(c) = self.conn.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), c.disconnect()).await;
        }
    }
}
