//! A system under test, described by an [`Adapter`]: how to start node `i` (command, arguments,
//! environment, data directory, peers), the processes it needs beside it, how to know it is
//! ready, how to stop it, and which node is primary. The cluster does the rest (namespaces,
//! addresses, logs, restarts, faults, teardown).
//!
//! The client side (how a client performs each workload's operations on a node) is the
//! runner's: it is added to adapters next to this trait, as a client factory, and is not part of
//! what a cluster needs.
//!
//! # A worked example
//!
//! A key-value store `kvd` that takes its peers as `--join` and answers `PING` on its port:
//!
//! ```no_run
//! use runner::adapter::{Adapter, NodeSpec};
//! use runner::systems::NodeCommand;
//! use std::io::{BufRead, BufReader, Write};
//! use std::net::TcpStream;
//! use std::time::Duration;
//!
//! struct Kvd;
//!
//! impl Adapter for Kvd {
//!     fn name(&self) -> String {
//!         "kvd".into()
//!     }
//!
//!     // Node i's command line. `node.peers` holds every node's address in id order.
//!     fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
//!         let peers: Vec<String> = node.peers.iter().map(|p| p.to_string()).collect();
//!         Ok(NodeCommand {
//!             program: "kvd".into(),
//!             args: vec![
//!                 "--listen".into(), node.addr().to_string(),
//!                 "--join".into(), peers.join(","),
//!                 "--dir".into(), node.data_dir.display().to_string(),
//!             ],
//!             env: vec![],
//!         })
//!     }
//!
//!     // One readiness probe; the cluster repeats it until the ready timeout.
//!     fn probe(&self, node: &NodeSpec) -> Result<(), String> {
//!         let t = Duration::from_millis(200);
//!         let mut s = TcpStream::connect_timeout(&node.addr(), t).map_err(|e| e.to_string())?;
//!         s.set_read_timeout(Some(t)).map_err(|e| e.to_string())?;
//!         s.write_all(b"PING\n").map_err(|e| e.to_string())?;
//!         let mut line = String::new();
//!         BufReader::new(s).read_line(&mut line).map_err(|e| e.to_string())?;
//!         if line.trim() == "PONG" { Ok(()) } else { Err(format!("answered {line:?}")) }
//!     }
//! }
//!
//! // Then: let cluster = runner::cluster::Cluster::start(ClusterConfig::default(), Arc::new(Kvd))?;
//! ```

mod booking;
mod command;
mod locate;

pub use booking::{BookingAdapter, BookingOptions};
pub use command::{CommandAdapter, Readiness};
pub use locate::{locate, on_path};

use crate::systems::NodeCommand;
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
    /// Its data directory, kept across restarts.
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
/// the booking service's log strategy). Companions are infrastructure: partitions cut them with
/// their node, but pause, kill and clock faults leave them alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Companion {
    /// A short name, for logs ("nats").
    pub name: String,
    /// Its command line.
    pub command: NodeCommand,
    /// An address it listens on; the cluster waits for it to accept connections.
    pub ready_tcp: Option<SocketAddr>,
}

/// A system under test: what the cluster needs to run its nodes.
pub trait Adapter: Send + Sync {
    /// A short name, e.g. `booking-raft`.
    fn name(&self) -> String;

    /// The first port every node listens on in the local backend (each node has its own
    /// address there; the loopback backend gives each node its own ports instead).
    fn port(&self) -> u16 {
        7000
    }

    /// Node `node`'s command line.
    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String>;

    /// The processes node `node` needs beside it.
    fn companions(&self, _node: &NodeSpec) -> Vec<Companion> {
        Vec::new()
    }

    /// One readiness probe of `node` (bounded in time); `Err` says what was seen. The cluster
    /// repeats it until the node is ready or the ready timeout has passed.
    fn probe(&self, node: &NodeSpec) -> Result<(), String>;

    /// The signal that asks a node to stop; the cluster sends SIGKILL after a short grace.
    fn stop_signal(&self) -> Signal {
        Signal::SIGTERM
    }

    /// The nodes that are primaries now, if the system can tell.
    fn primaries(&self, _nodes: &[NodeSpec]) -> Option<Vec<NodeId>> {
        None
    }
}
