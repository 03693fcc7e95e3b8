//! The node side of a system under test: an [`Adapter`] says how to start node `i` (command,
//! files, setup, the user it runs as, the processes it needs beside it), how to know it is
//! ready, which nodes are primaries, which files to keep as its logs, and how to stop it. The
//! cluster does the rest: namespaces, addresses, data directories, restarts, faults, teardown.

use super::command::{NodeCommand, NodeFile};
use super::shell::Shell;
use faults::NodeId;
use nix::sys::signal::Signal;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// Everything an adapter needs to know to start one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    /// The node.
    pub id: NodeId,
    /// Its address (its own in the local backend; 127.0.0.1 in the loopback backend).
    pub ip: IpAddr,
    /// Its first port; the node owns [`PORTS_PER_NODE`] ports from here.
    pub port: u16,
    /// Every node's address (`ip:port`) in id order, this node's included.
    pub peers: Vec<SocketAddr>,
    /// Its data directory, kept across restarts (owned by the node's user, if it has one).
    pub data_dir: PathBuf,
    /// Whether this start is a restart on an existing data directory.
    pub restart: bool,
}

/// How many consecutive ports each node owns, from [`NodeSpec::port`].
pub const PORTS_PER_NODE: u16 = 10;

impl NodeSpec {
    /// The node's main address, `ip:port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.ip, self.port)
    }

    /// The node's `k`-th own port's address (`k < PORTS_PER_NODE`).
    pub fn addr_at(&self, k: u16) -> SocketAddr {
        SocketAddr::new(self.ip, self.port + k)
    }
}

/// A process a node needs beside it, started before it in its namespace (e.g. a NATS server for
/// the booking service's log strategy, a Redis Sentinel). Companions are infrastructure:
/// partitions cut them with their node, but pause, kill and clock faults leave them alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Companion {
    /// A short name, for logs ("nats").
    pub name: String,
    /// Its command line.
    pub command: NodeCommand,
    /// An address it listens on; the cluster waits for it to accept connections.
    pub ready_tcp: Option<SocketAddr>,
}

/// The node side of a system under test: what the cluster needs to run its nodes.
pub trait Adapter: Send + Sync {
    /// A short name for logs, e.g. `booking-raft`.
    fn name(&self) -> String;

    /// The first port every node listens on in the local backend (each node has its own
    /// address there; the loopback backend gives each node its own ports instead).
    fn port(&self) -> u16 {
        7000
    }

    /// Node `node`'s command line. With a user, the cluster runs it as that user and gives the
    /// user the node's data directory.
    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String>;

    /// Files written into the node's data directory before each start (a config file, an id
    /// file), as the node's user.
    fn files(&self, _node: &NodeSpec) -> Result<Vec<NodeFile>, String> {
        Ok(Vec::new())
    }

    /// Commands run once, in order, where the node runs and before its first start (e.g.
    /// `initdb`); each must exit 0 within the cluster's ready timeout.
    fn setup(&self, _node: &NodeSpec) -> Result<Vec<NodeCommand>, String> {
        Ok(Vec::new())
    }

    /// Nodes that must be ready before `node`'s setup and first start (e.g. a primary its
    /// standbys copy from, a bootstrap node the others join). None by default: every node
    /// starts at once.
    fn starts_after(&self, _node: &NodeSpec) -> Vec<NodeId> {
        Vec::new()
    }

    /// The processes node `node` needs beside it.
    fn companions(&self, _node: &NodeSpec) -> Vec<Companion> {
        Vec::new()
    }

    /// One readiness probe of `node` (bounded in time); `Err` says what was seen. The cluster
    /// repeats it until the node is ready or the ready timeout has passed. `shell` runs commands
    /// where the node runs.
    fn probe(&self, node: &NodeSpec, shell: &dyn Shell) -> Result<(), String>;

    /// The signal that asks a node to stop; the cluster sends SIGKILL after a short grace.
    fn stop_signal(&self) -> Signal {
        Signal::SIGTERM
    }

    /// The nodes that are primaries now, if the system can tell.
    fn primaries(&self, _nodes: &[NodeSpec], _shell: &dyn Shell) -> Option<Vec<NodeId>> {
        None
    }

    /// Files the node writes besides its output (which the cluster keeps anyway), copied into
    /// the run's store as the node's logs; paths may be relative to its data directory.
    fn log_files(&self, _node: &NodeSpec) -> Vec<PathBuf> {
        Vec::new()
    }
}
