//! One client process's connection to its own Galera node, running each operation as one
//! transaction: `START TRANSACTION`, its statements in order, `COMMIT`.

use crate::failure::Failure;
use crate::schema::{self, Table};
use faults::NodeId;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};
use runner::system::{async_trait, Client, ClientError, Completion, FailureKind, Reply};
use runner::workload::{BankOp, MicroOp, Operation};
use serde_json::{json, Map, Value};
use tokio::time::Instant;

/// A connection to one node, reopened after it broke.
pub struct GaleraClient {
    node: NodeId,
    opts: Opts,
    table: Table,
    /// Whether a transfer may overdraw its account (bank).
    negative_balances: bool,
    conn: Option<Conn>,
}

impl GaleraClient {
    /// A client of `node` over `conn`, which `opts` reopens.
    pub fn new(
        node: NodeId,
        opts: Opts,
        table: Table,
        negative_balances: bool,
        conn: Conn,
    ) -> GaleraClient {
        GaleraClient {
            node,
            opts,
            table,
            negative_balances,
            conn: Some(conn),
        }
    }

    /// The statements of `op` on `conn`, inside a transaction; the operation's result.
    async fn body(&self, conn: &mut Conn, op: &Operation) -> Result<Value, Failure> {
        match (op, self.table) {
            (Operation::Txn(ops), Table::Append | Table::Register) => {
                let mut done = Vec::with_capacity(ops.len());
                for m in ops {
                    let read = self.micro(conn, m).await?;
                    done.push(m.encode(read));
                }
                Ok(Value::Array(done))
            }
            (Operation::Bank(BankOp::Read), Table::Bank) => {
                let rows: Vec<(u64, i64)> = conn
                    .exec(schema::READ_ACCOUNTS, ())
                    .await
                    .map_err(Failure::Before)?;
                let balances: Map<String, Value> = rows
                    .into_iter()
                    .map(|(k, b)| (k.to_string(), json!(b)))
                    .collect();
                Ok(Value::Object(balances))
            }
            (Operation::Bank(BankOp::Transfer { from, to, amount }), Table::Bank) => {
                let amount = *amount as i64;
                let from_balance = self.balance(conn, *from).await?;
                let to_balance = self.balance(conn, *to).await?;
                if from_balance < amount && !self.negative_balances {
                    return Err(Failure::RolledBack(format!(
                        "insufficient funds: account {from} holds {from_balance}, not {amount}"
                    )));
                }
                for (k, b) in [(*from, from_balance - amount), (*to, to_balance + amount)] {
                    conn.exec_drop(schema::WRITE_BALANCE, (b, k))
                        .await
                        .map_err(Failure::Before)?;
                }
                Ok(op.value())
            }
            _ => Err(Failure::RolledBack(format!(
                "galera's {:?} table has no {} operation",
                self.table,
                op.f()
            ))),
        }
    }

    /// One micro-op; what a read found (null for a write, and for a register never written).
    async fn micro(&self, conn: &mut Conn, m: &MicroOp) -> Result<Value, Failure> {
        match (*m, self.table) {
            (MicroOp::Read { key }, Table::Append) => {
                let row: Option<String> = conn
                    .exec_first(schema::READ_LIST, (key,))
                    .await
                    .map_err(Failure::Before)?;
                let list =
                    schema::list(row.as_deref().unwrap_or("")).map_err(Failure::Unreadable)?;
                Ok(json!(list))
            }
            (MicroOp::Append { key, value }, Table::Append) => {
                conn.exec_drop(schema::APPEND, (key, value.to_string()))
                    .await
                    .map_err(Failure::Before)?;
                Ok(Value::Null)
            }
            (MicroOp::Read { key }, Table::Register) => {
                let row: Option<u64> = conn
                    .exec_first(schema::READ_REGISTER, (key,))
                    .await
                    .map_err(Failure::Before)?;
                Ok(json!(row))
            }
            (MicroOp::Write { key, value }, Table::Register) => {
                conn.exec_drop(schema::WRITE_REGISTER, (key, value))
                    .await
                    .map_err(Failure::Before)?;
                Ok(Value::Null)
            }
            (m, table) => Err(Failure::RolledBack(format!(
                "galera's {table:?} table has no micro-op {m:?}"
            ))),
        }
    }

    /// Account `k`'s balance; a missing account is no number rift can use.
    async fn balance(&self, conn: &mut Conn, k: u64) -> Result<i64, Failure> {
        conn.exec_first(schema::READ_ACCOUNT, (k,))
            .await
            .map_err(Failure::Before)?
            .ok_or_else(|| Failure::Unreadable(format!("account {k} does not exist")))
    }

    /// `op` as one transaction on `conn`.
    async fn txn(&self, conn: &mut Conn, op: &Operation) -> Result<Value, Failure> {
        conn.query_drop("START TRANSACTION")
            .await
            .map_err(Failure::Before)?;
        let value = self.body(conn, op).await?;
        conn.query_drop("COMMIT").await.map_err(Failure::AtCommit)?;
        Ok(value)
    }

    /// Runs `op` on the open connection (opening one first if the last broke).
    async fn run(&mut self, op: &Operation) -> Completion {
        let mut conn = match self.conn.take() {
            Some(c) => c,
            None => match Conn::new(self.opts.clone()).await {
                Ok(c) => c,
                Err(e) => return self.error(FailureKind::Unreachable, e).into(),
            },
        };
        match self.txn(&mut conn, op).await {
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
