//! One transaction on one connection: `BEGIN` at the chosen isolation, its statements (micro-ops,
//! a transfer, a read of every balance), `COMMIT`; and how a failure is recorded, by what was
//! sent when it happened.

use crate::options::Isolation;
use crate::schema;
use runner::system::FailureKind;
use runner::workload::MicroOp;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Begin {
    /// Its isolation level.
    pub isolation: Isolation,
    /// Declared read-only (a standby accepts no other).
    pub read_only: bool,
}

impl Begin {
    /// The `BEGIN` statement.
    pub fn sql(self) -> String {
        let access = if self.read_only { " READ ONLY" } else { "" };
        format!("BEGIN ISOLATION LEVEL {}{access}", self.isolation.sql())
    }
}

/// What the keys of a transaction's micro-ops name: lists (list-append) or registers
/// (rw-register).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Each key a list of values, appended to and read whole.
    Lists,
    /// Each key a register of one value, written and read.
    Registers,
}

/// One micro-op as a statement: its SQL and parameters, and whether it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement {
    sql: &'static str,
    key: i64,
    value: Option<i64>,
}

/// `ops` as statements over `keys`; `Err` names a micro-op those keys have not.
pub fn statements(keys: Keys, ops: &[MicroOp]) -> Result<Vec<Statement>, String> {
    ops.iter()
        .map(|m| {
            let (sql, value) = match (keys, *m) {
                (Keys::Lists, MicroOp::Read { .. }) => (schema::READ_LIST, None),
                (Keys::Lists, MicroOp::Append { value, .. }) => (schema::APPEND, Some(value)),
                (Keys::Registers, MicroOp::Read { .. }) => (schema::READ_REGISTER, None),
                (Keys::Registers, MicroOp::Write { value, .. }) => (schema::WRITE, Some(value)),
                (_, other) => {
                    return Err(format!(
                        "{keys:?} have no micro-op {:?}",
                        other.encode(Value::Null)
                    ))
                }
            };
            Ok(Statement {
                sql,
                key: m.key() as i64,
                value: value.map(|v| v as i64),
            })
        })
        .collect()
}

/// What a transaction does between `BEGIN` and `COMMIT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Micro-ops (list-append, rw-register), as statements.
    Micro(Vec<MicroOp>, Vec<Statement>),
    /// Moves `amount` from one account to another; unless `overdraw`, refused when `from` has
    /// less.
    Transfer {
        /// The account debited.
        from: i64,
        /// The account credited.
        to: i64,
        /// How much.
        amount: i64,
        /// Whether a balance may go below zero.
        overdraw: bool,
    },
    /// Reads every balance.
    Balances,
}

impl Work {
    /// Whether it only reads.
    pub fn read_only(&self) -> bool {
        match self {
            Work::Micro(ops, _) => ops.iter().all(|m| matches!(m, MicroOp::Read { .. })),
            Work::Transfer { .. } => false,
            Work::Balances => true,
        }
    }
}

/// How a transaction the server did not fail ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Committed; what it read (micro-ops with reads filled in; balances), or null.
    Committed(Value),
    /// Rolled back by the client, for the reason given (a transfer without the funds).
    RolledBack(String),
}

/// Runs `work` as one transaction; `commit_sent` turns true just before `COMMIT` is sent.
pub async fn run(
    client: &Client,
    begin: Begin,
    work: &Work,
    commit_sent: &AtomicBool,
) -> Result<Ended, tokio_postgres::Error> {
    client.batch_execute(&begin.sql()).await?;
    let read = match work {
        Work::Micro(ops, statements) => micro(client, ops, statements).await?,
        Work::Transfer {
            from,
            to,
            amount,
            overdraw,
        } => {
            let balance: i64 = client.query_one(schema::BALANCE, &[from]).await?.get(0);
            if !overdraw && balance < *amount {
                client.batch_execute("ROLLBACK").await?;
                return Ok(Ended::RolledBack(format!(
                    "account {from} holds {balance}, less than {amount}"
                )));
            }
            client.execute(schema::CREDIT, &[from, &-amount]).await?;
            client.execute(schema::CREDIT, &[to, amount]).await?;
            Value::Null
        }
        Work::Balances => {
            let rows = client.query(schema::BALANCES, &[]).await?;
            let balances: serde_json::Map<String, Value> = rows
                .iter()
                .map(|r| (r.get::<_, i64>(0).to_string(), json!(r.get::<_, i64>(1))))
                .collect();
            Value::Object(balances)
        }
    };
    commit_sent.store(true, Ordering::SeqCst);
    client.batch_execute("COMMIT").await?;
    Ok(Ended::Committed(read))
}

/// Runs `ops` (as `statements`): the micro-ops as the history records them, reads filled in (a
/// key never written reads null).
async fn micro(
    client: &Client,
    ops: &[MicroOp],
    statements: &[Statement],
) -> Result<Value, tokio_postgres::Error> {
    let mut done = Vec::with_capacity(ops.len());
    for (m, s) in ops.iter().zip(statements) {
        let read = match s.value {
            None => match client.query_opt(s.sql, &[&s.key]).await? {
                None => Value::Null,
                Some(row) if s.sql == schema::READ_LIST => json!(row.get::<_, Vec<i64>>(0)),
                Some(row) => json!(row.get::<_, i64>(0)),
            },
            Some(v) => {
                client.execute(s.sql, &[&s.key, &v]).await?;
                Value::Null
            }
        };
        done.push(m.encode(read));
    }
    Ok(Value::Array(done))
}

/// How an error ended the transaction: definite when the server reported a serialization
/// failure or deadlock (it rolled the transaction back), or when `COMMIT` was never sent (the
/// server rolls back an open transaction whose connection closes); indefinite otherwise.
pub fn classify(e: &tokio_postgres::Error, commit_sent: bool) -> FailureKind {
    let rolled_back = [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
    ]
    .iter()
    .any(|c| e.code() == Some(c));
    match (rolled_back, commit_sent, e.as_db_error()) {
        (true, _, _) | (false, false, _) => FailureKind::Rejected,
        (false, true, Some(_)) => FailureKind::ServerError,
        (false, true, None) => FailureKind::ConnectionLost,
    }
}

/// The error in words: the server's SQLSTATE and message, or the client library's chain.
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => {
            let mut s = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                s.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_begins_at_its_level_and_declares_read_only() {
        let b = Begin {
            isolation: Isolation::RepeatableRead,
            read_only: true,
        };
        assert_eq!(b.sql(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        let b = Begin {
            isolation: Isolation::Serializable,
            read_only: false,
        };
        assert_eq!(b.sql(), "BEGIN ISOLATION LEVEL SERIALIZABLE");
    }

    #[test]
    fn lists_are_appended_to_and_registers_written_and_neither_the_other() {
        let (r, a, w) = (
            MicroOp::Read { key: 1 },
            MicroOp::Append { key: 1, value: 2 },
            MicroOp::Write { key: 1, value: 2 },
        );
        assert_eq!(statements(Keys::Lists, &[r, a]).unwrap().len(), 2);
        assert_eq!(statements(Keys::Registers, &[r, w]).unwrap().len(), 2);
        assert!(statements(Keys::Lists, &[w]).is_err());
        assert!(statements(Keys::Registers, &[a]).is_err());
    }
}
