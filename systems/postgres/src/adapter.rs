//! PostgreSQL's node side, a rift [`Adapter`]: node 0 is the primary, made by `initdb`; every
//! other node is a hot standby streaming from it, made by `pg_basebackup -R` once the primary is
//! ready. Each node's cluster lives in `pg/` under the node's data directory, is owned by the
//! unprivileged user `postgres` (PostgreSQL refuses to run as root), and listens on the node's
//! address only over TCP (no Unix socket, whose path could exceed the kernel's 107 bytes).
//! There is no failover: node 0 stays the primary, and a killed node is restarted in place.

use crate::install::Binaries;
use faults::NodeId;
use runner::system::{Adapter, NodeCommand, NodeFile, NodeSpec, Shell};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The user every node's processes run as.
pub const USER: &str = "postgres";

/// The node that is the primary.
pub const PRIMARY: NodeId = NodeId(0);

/// The directory, under a node's data directory, of its PostgreSQL cluster.
const PGDATA: &str = "pg";

/// The client authentication file, beside `pg/` (the cluster's own is not used): every host may
/// connect, and replicate, as any user without a password — the nodes sit in rift's private
/// network.
const HBA: &str = "pg_hba.conf";
const HBA_CONTENTS: &str = "host all all 0.0.0.0/0 trust\nhost replication all 0.0.0.0/0 trust\n";

/// How long one readiness probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// A primary and hot standbys, run from `binaries`.
#[derive(Debug, Clone)]
pub struct PostgresAdapter {
    /// PostgreSQL's programs.
    pub binaries: Binaries,
}

impl PostgresAdapter {
    /// `program` with `args`, as [`USER`].
    fn as_user(&self, program: &str, args: Vec<String>) -> NodeCommand {
        NodeCommand {
            user: Some(USER.into()),
            ..NodeCommand::new(self.binaries.program(program), args)
        }
    }
}

/// A node's cluster directory.
fn pgdata(node: &NodeSpec) -> PathBuf {
    node.data_dir.join(PGDATA)
}

/// `path` as an argument.
fn arg(path: &Path) -> String {
    path.display().to_string()
}

impl Adapter for PostgresAdapter {
    fn name(&self) -> String {
        "postgres".into()
    }

    fn port(&self) -> u16 {
        5432
    }

    /// `postgres` on the node's address and port. Settings beyond the defaults: small shared
    /// buffers (three servers share the machine), WAL kept for a standby that was down a while,
    /// and a standby retrying its primary every second rather than every five.
    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        let mut args = vec!["-D".into(), arg(&pgdata(node))];
        let settings = [
            ("listen_addresses", node.ip.to_string()),
            ("port", node.port.to_string()),
            ("unix_socket_directories", String::new()),
            ("hba_file", arg(&node.data_dir.join(HBA))),
            ("shared_buffers", "16MB".into()),
            ("wal_keep_size", "256MB".into()),
            ("wal_retrieve_retry_interval", "1s".into()),
            ("log_line_prefix", "%m [%p] ".into()),
        ];
        for (name, value) in settings {
            args.extend(["-c".into(), format!("{name}={value}")]);
        }
        Ok(self.as_user("postgres", args))
    }

    fn files(&self, _node: &NodeSpec) -> Result<Vec<NodeFile>, String> {
        Ok(vec![NodeFile {
            path: HBA.into(),
            contents: HBA_CONTENTS.into(),
        }])
    }

    /// The primary: `initdb` (superuser `postgres`, no passwords). A standby: a base backup of
    /// the primary that writes the standby's connection to it (`-R`), WAL streamed alongside.
    fn setup(&self, node: &NodeSpec) -> Result<Vec<NodeCommand>, String> {
        let dir = arg(&pgdata(node));
        let args: Vec<String> = if node.id == PRIMARY {
            let a = ["-D", &dir, "-U", USER, "--auth=trust", "--no-sync"];
            a.iter()
                .map(|s| s.to_string())
                .chain(["-E", "UTF8", "--locale=C"].map(String::from))
                .collect()
        } else {
            let primary = node.peers[PRIMARY.0];
            let (host, port) = (primary.ip().to_string(), primary.port().to_string());
            let a = [
                "-h", &host, "-p", &port, "-U", USER, "-D", &dir, "-R", "-X", "stream",
            ];
            a.iter()
                .map(|s| s.to_string())
                .chain(["--checkpoint=fast", "--no-sync"].map(String::from))
                .collect()
        };
        let program = if node.id == PRIMARY {
            "initdb"
        } else {
            "pg_basebackup"
        };
        Ok(vec![self.as_user(program, args)])
    }

    fn starts_after(&self, node: &NodeSpec) -> Vec<NodeId> {
        if node.id == PRIMARY {
            Vec::new()
        } else {
            vec![PRIMARY]
        }
    }

    /// Ready when `pg_isready` says the server accepts connections (a standby does once it has
    /// replayed to a consistent state).
    fn probe(&self, node: &NodeSpec, shell: &dyn Shell) -> Result<(), String> {
        let args = [
            "-h".into(),
            node.ip.to_string(),
            "-p".into(),
            node.port.to_string(),
            "-t".into(),
            "1".into(),
        ];
        let out = shell.run(
            node.id,
            &self.as_user("pg_isready", args.to_vec()),
            PROBE_TIMEOUT,
        )?;
        if out.success {
            Ok(())
        } else {
            Err(format!("pg_isready: {} {}", out.status, out.stdout.trim()))
        }
    }

    /// A fast shutdown: open transactions are rolled back (SIGTERM's smart shutdown would wait
    /// for every client to leave).
    fn stop_signal(&self) -> nix::sys::signal::Signal {
        nix::sys::signal::Signal::SIGINT
    }

    fn primaries(&self, _nodes: &[NodeSpec], _shell: &dyn Shell) -> Option<Vec<NodeId>> {
        Some(vec![PRIMARY])
    }
}
