//! The client side: opens a [`PostgresClient`] per client process, after making the
//! workload's tables on the primary once per run.

use crate::adapter::PRIMARY;
use crate::client::PostgresClient;
use crate::connection::Connection;
use crate::options::PostgresOptions;
use crate::schema;
use crate::txn::{self, Keys};
use faults::NodeId;
use runner::system::{async_trait, Client, ClientError, Driver, DriverContext, FailureKind};
use runner::workload::{WorkloadConfig, WorkloadKind};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::OnceCell;

/// How long making the tables may take: setup, not an operation, and a `CREATE TABLE` waits for
/// its WAL to reach the disk, which on a loaded machine takes longer than an op timeout.
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Clients of one run's servers.
pub struct PostgresDriver {
    options: PostgresOptions,
    keys: Option<Keys>,
    kind: WorkloadKind,
    workload: WorkloadConfig,
    addrs: Vec<SocketAddr>,
    timeout: Duration,
    /// Set once the tables exist; a failed attempt leaves it unset for the next client to retry.
    tables: OnceCell<()>,
}

impl PostgresDriver {
    /// A driver for the nodes and workload `context` names; `Err` for a workload PostgreSQL's
    /// clients do not run.
    pub fn new(
        options: PostgresOptions,
        context: &DriverContext,
    ) -> Result<PostgresDriver, String> {
        let keys = match context.workload {
            WorkloadKind::Append => Some(Keys::Lists),
            WorkloadKind::RwRegister => Some(Keys::Registers),
            WorkloadKind::Bank => None,
            other => {
                return Err(format!(
                    "PostgreSQL's clients do not run the {} workload",
                    other.name()
                ))
            }
        };
        Ok(PostgresDriver {
            options,
            keys,
            kind: context.workload,
            workload: context.workload_config.clone(),
            addrs: context.nodes.iter().map(|n| n.addr()).collect(),
            timeout: context.op_timeout,
            tables: OnceCell::new(),
        })
    }

    /// Makes the workload's table on the primary (and opens the bank's accounts), unless done
    /// already. Only this driver makes it, one client at a time (the cell), so `IF NOT EXISTS`
    /// never races another `CREATE`.
    async fn make_tables(&self) -> Result<(), String> {
        let kind = self.kind;
        let Some(table) = schema::table(kind) else {
            return Ok(());
        };
        self.tables
            .get_or_try_init(|| async {
                let conn = Connection::open(self.addrs[PRIMARY.0], SETUP_TIMEOUT).await?;
                let make = async {
                    conn.client.batch_execute(table).await?;
                    if kind == WorkloadKind::Bank {
                        let (n, balance) = (self.workload.keys as i64, self.workload.balance);
                        conn.client
                            .execute(schema::OPEN_ACCOUNTS, &[&n, &balance])
                            .await?;
                    }
                    Ok::<_, tokio_postgres::Error>(())
                };
                tokio::time::timeout(SETUP_TIMEOUT, make)
                    .await
                    .map_err(|_| format!("no table within {SETUP_TIMEOUT:?}"))?
                    .map_err(|e| txn::describe(&e))
            })
            .await
            .map(|_| ())
    }
}

#[async_trait]
impl Driver for PostgresDriver {
    async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError> {
        if node.0 >= self.addrs.len() {
            return Err(ClientError::new(
                &node.to_string(),
                FailureKind::Rejected,
                "no such node",
            ));
        }
        self.make_tables().await.map_err(|why| {
            ClientError::new(
                &PRIMARY.to_string(),
                FailureKind::Unreachable,
                format!("tables: {why}"),
            )
        })?;
        Ok(Box::new(PostgresClient::new(
            node,
            self.keys,
            self.workload.negative_balances,
            self.options.isolation,
            self.options.reads,
            self.addrs.clone(),
            self.timeout,
        )))
    }
}
