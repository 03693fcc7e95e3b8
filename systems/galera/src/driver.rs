//! Galera's client side: a connection per client process to its own node, as the clients'
//! account, in the clients' database; the first connection made creates the workload's table
//! (and, for the bank, opens the accounts with their balance).

use crate::client::GaleraClient;
use crate::node::{CLIENT_USER, DATABASE};
use crate::schema::{self, Table};
use faults::NodeId;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder};
use runner::system::{async_trait, Client, ClientError, Driver, DriverContext, FailureKind};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Opens clients on the nodes of one run.
pub struct GaleraDriver {
    addrs: Vec<SocketAddr>,
    table: Table,
    /// The statements that make the table (and rows it starts with), run once per run.
    create: Vec<String>,
    negative_balances: bool,
    connect_timeout: Duration,
    created: OnceCell<()>,
}

impl GaleraDriver {
    /// A driver for the nodes `context` names, whose clients use `table`; a connection must be
    /// made within the op timeout.
    pub fn new(context: &DriverContext, table: Table) -> GaleraDriver {
        let w = &context.workload_config;
        let mut create = vec![table.create().to_string()];
        if table == Table::Bank {
            create.push(schema::open_accounts(w.keys, w.balance));
        }
        GaleraDriver {
            addrs: context.nodes.iter().map(|n| n.addr()).collect(),
            table,
            create,
            negative_balances: w.negative_balances,
            connect_timeout: context.op_timeout,
            created: OnceCell::new(),
        }
    }

    fn opts(&self, addr: SocketAddr) -> Opts {
        OptsBuilder::default()
            .ip_or_hostname(addr.ip().to_string())
            .tcp_port(addr.port())
            .prefer_socket(false)
            .user(Some(CLIENT_USER))
            .db_name(Some(DATABASE))
            .into()
    }

    async fn connect(&self, node: NodeId) -> Result<(Opts, Conn), ClientError> {
        let fail = |kind, detail: String| ClientError::new(&node.to_string(), kind, detail);
        let addr = *self.addrs.get(node.0).ok_or_else(|| {
            fail(
                FailureKind::Unreachable,
                format!("no node {node} in this run"),
            )
        })?;
        let opts = self.opts(addr);
        let mut conn = tokio::time::timeout(self.connect_timeout, Conn::new(opts.clone()))
            .await
            .map_err(|_| fail(FailureKind::Unreachable, format!("{addr}: no handshake")))?
            .map_err(|e| fail(FailureKind::Unreachable, format!("{addr}: {e}")))?;
        self.created
            .get_or_try_init(|| async {
                let create = async {
                    for statement in &self.create {
                        conn.query_drop(statement).await?;
                    }
                    Ok::<_, mysql_async::Error>(())
                };
                match tokio::time::timeout(self.connect_timeout, create).await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(fail(
                        FailureKind::Rejected,
                        format!("creating the table: {e}"),
                    )),
                    Err(_) => Err(fail(
                        FailureKind::Rejected,
                        "creating the table timed out".into(),
                    )),
                }
            })
            .await?;
        Ok((opts, conn))
    }
}

#[async_trait]
impl Driver for GaleraDriver {
    async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError> {
        let (opts, conn) = self.connect(node).await?;
        Ok(Box::new(GaleraClient::new(
            node,
            opts,
            self.table,
            self.negative_balances,
            conn,
        )))
    }
}
