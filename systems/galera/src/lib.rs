//! MariaDB Galera Cluster as a system under test.
//!
//! Galera replicates MariaDB synchronously among all its nodes, every one of which takes writes:
//! at commit, a transaction's write set is ordered by group communication and certified on every
//! node against the write sets ordered before it; the loser of a conflict is aborted. rift runs
//! three `mariadbd` (MariaDB 10.11, Galera 4; Debian packages mariadb-server, galera-4 and
//! rsync), each in its node's namespace with its data directory, configuration file and socket
//! in the node's data directory, as the `mysql` user. Node 0 bootstraps the cluster; the others
//! join it and receive a snapshot by rsync; a killed node rejoins on restart (by incremental
//! transfer from a member's cache, or a snapshot), and after all were killed they re-form the
//! cluster from the state each kept. Each client process connects to its own node and runs each
//! operation as one transaction.
//!
//! | option | values | default |
//! |---|---|---|
//! | `isolation` | repeatable-read, serializable | repeatable-read |
//! | `wsrep_sync_wait` | 0..=15 (bit mask; 1 makes reads wait for the cluster's commits) | 0 |
//! | `innodb_flush_log_at_trx_commit` | 0, 1, 2 | 1 (MariaDB's default) |
//!
//! Workloads: append (list-append), rw-register, bank (a transfer reads both balances, then
//! writes them changed by the amount; refused, a definite failure, when it would overdraw).

pub mod adapter;
pub mod client;
pub mod driver;
pub mod failure;
pub mod node;
pub mod options;
pub mod schema;

pub use adapter::GaleraAdapter;
pub use client::GaleraClient;
pub use driver::GaleraDriver;
pub use options::{GaleraOptions, Isolation};

use runner::run::RunConfig;
use runner::system::{on_path, Adapter, Driver, DriverContext, System};
use runner::workload::WorkloadKind;
use runner::RunError;
use schema::Table;
use std::path::Path;
use std::sync::Arc;

/// The programs and files a node needs, each with the Debian package that has it.
const NEEDS: [(&str, &str); 5] = [
    ("mariadbd", "mariadb-server"),
    ("mariadb-install-db", "mariadb-server"),
    ("mariadb", "mariadb-client"),
    ("rsync", "rsync"),
    (node::PROVIDER, "galera-4"),
];

/// The first of [`NEEDS`] missing on this machine, as an error naming its package.
fn missing() -> Option<RunError> {
    NEEDS.iter().find_map(|&(program, package)| {
        let found = if program.starts_with('/') {
            Path::new(program).is_file()
        } else {
            on_path(program).is_some()
        };
        (!found).then(|| RunError::NotFound {
            program: program.into(),
            searched: format!(
                "it comes with the Debian package {package} (scripts/setup installs it)"
            ),
        })
    })
}

/// MariaDB Galera Cluster, registered as `galera`.
pub struct Galera;

impl System for Galera {
    type Options = GaleraOptions;

    fn name(&self) -> &str {
        "galera"
    }

    fn workloads(&self, _options: &GaleraOptions) -> Vec<WorkloadKind> {
        vec![
            WorkloadKind::Append,
            WorkloadKind::RwRegister,
            WorkloadKind::Bank,
        ]
    }

    fn variants(&self) -> Vec<(String, GaleraOptions)> {
        [Isolation::RepeatableRead, Isolation::Serializable]
            .into_iter()
            .map(|isolation| {
                let o = GaleraOptions {
                    isolation,
                    ..GaleraOptions::default()
                };
                (isolation.to_string(), o)
            })
            .collect()
    }

    fn describe(&self, o: &GaleraOptions) -> String {
        format!(
            "galera {} sync_wait={} flush={}",
            o.isolation, o.wsrep_sync_wait, o.innodb_flush_log_at_trx_commit
        )
    }

    fn validate(&self, options: &GaleraOptions, _run: &RunConfig) -> Result<(), String> {
        options.check()
    }

    fn adapter(&self, options: &GaleraOptions) -> Result<Arc<dyn Adapter>, RunError> {
        if let Some(e) = missing() {
            return Err(e);
        }
        Ok(Arc::new(GaleraAdapter { options: *options }))
    }

    fn driver(
        &self,
        _options: &GaleraOptions,
        context: &DriverContext,
    ) -> Result<Arc<dyn Driver>, RunError> {
        let table = Table::of(context.workload).ok_or_else(|| RunError::SystemOptions {
            system: "galera".into(),
            message: format!("no table for the {} workload", context.workload),
        })?;
        Ok(Arc::new(GaleraDriver::new(context, table)))
    }
}
