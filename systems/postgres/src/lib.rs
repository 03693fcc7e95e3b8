//! PostgreSQL as a system under test.
//!
//! PostgreSQL 15 with streaming replication: node 0 is the primary, made by `initdb`; nodes 1
//! and 2 are hot standbys, made by `pg_basebackup -R` from it, which replay its WAL
//! asynchronously and serve read-only transactions. There is no failover: a killed primary is
//! restarted in place and its standbys reconnect. Clients run transactions of micro-ops at the
//! configured isolation level: those that write go to the primary; read-only ones go to the
//! primary, or to the client's own node, which may lag behind it (a standby runs serializable
//! transactions as repeatable read, the strongest it has). Expected: serializable on the
//! primary is strict serializable; repeatable read is snapshot isolation (write skew allowed);
//! read committed allows more; reads from standbys are stale.
//!
//! PostgreSQL forks a backend per connection, and each backend makes itself a process group
//! leader (`setsid`): the cluster's faults signal a node's whole process tree, not only its
//! group, so a pause stops the backends serving transactions too.
//!
//! | option | values | default |
//! |---|---|---|
//! | `isolation` | read-committed, repeatable-read, serializable | serializable |
//! | `reads` | primary, own-node (the client's own node; a standby for nodes 1 and 2) | primary |
//!
//! Workloads: append (list-append), rw-register, bank (a transfer refused when it would
//! overdraw, unless the workload allows negative balances). Programs: `postgres`, `initdb`,
//! `pg_basebackup`, `pg_isready` from Debian's `postgresql` package (in
//! `/usr/lib/postgresql/<major>/bin`, or the directory `$RIFT_POSTGRES_BIN` names); they run as
//! the user `postgres`.

pub mod adapter;
pub mod client;
pub mod connection;
pub mod driver;
pub mod install;
pub mod options;
pub mod schema;
pub mod txn;

pub use adapter::PostgresAdapter;
pub use client::PostgresClient;
pub use driver::PostgresDriver;
pub use install::Binaries;
pub use options::{Isolation, PostgresOptions, Reads};

use runner::system::{Adapter, Driver, DriverContext, System};
use runner::workload::WorkloadKind;
use runner::RunError;
use std::sync::Arc;

/// PostgreSQL, registered as `postgres`.
pub struct Postgres;

impl System for Postgres {
    type Options = PostgresOptions;

    fn name(&self) -> &str {
        "postgres"
    }

    fn workloads(&self, _options: &PostgresOptions) -> Vec<WorkloadKind> {
        vec![
            WorkloadKind::Append,
            WorkloadKind::RwRegister,
            WorkloadKind::Bank,
        ]
    }

    fn describe(&self, o: &PostgresOptions) -> String {
        format!("postgres {}/{}", o.isolation, o.reads)
    }

    fn variants(&self) -> Vec<(String, PostgresOptions)> {
        [
            (Isolation::Serializable, Reads::Primary),
            (Isolation::RepeatableRead, Reads::Primary),
            (Isolation::ReadCommitted, Reads::Primary),
            (Isolation::Serializable, Reads::OwnNode),
        ]
        .into_iter()
        .map(|(isolation, reads)| {
            let o = PostgresOptions { isolation, reads };
            (format!("{isolation}-{reads}"), o)
        })
        .collect()
    }

    fn adapter(&self, _options: &PostgresOptions) -> Result<Arc<dyn Adapter>, RunError> {
        Ok(Arc::new(PostgresAdapter {
            binaries: Binaries::find()?,
        }))
    }

    fn driver(
        &self,
        options: &PostgresOptions,
        context: &DriverContext,
    ) -> Result<Arc<dyn Driver>, RunError> {
        let driver =
            PostgresDriver::new(*options, context).map_err(|message| RunError::SystemOptions {
                system: "postgres".into(),
                message,
            })?;
        Ok(Arc::new(driver))
    }
}
