//! The booking service's node side: `booking-node` in every replication
//! strategy, with the NATS servers the log strategy needs.
//!
//! Node `i` runs `booking-node --id i --listen IP:PORT --peers A0,A1,.. --data-dir D
//! --replication S --read R [--conflict C] [--nats URL,..]`; it is ready when it answers a
//! `status` request (newline-delimited JSON, booking/PROTOCOL.md). The binary is
//! `$RIFT_BOOKING_NODE`, else `booking-node` beside rift's executable, else on the PATH.
//!
//! The log strategy gets one NATS server (JetStream on) per node, in the node's namespace on
//! the node's second port, clustered with the others over the node's third port, so partitions
//! cut the log as they cut the nodes. Its command line is the booking crate's own
//! [`NatsServerSpec`], so the service's tests and rift run the same servers.

use crate::BookingOptions;
use booking::config::ReplicationKind;
use booking::replication::log::nats_server::NatsServerSpec;
use faults::NodeId;
use runner::system::{locate, Adapter, Companion, NodeCommand, NodeSpec, Shell};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

/// The booking service as a system under test.
#[derive(Debug, Clone)]
pub struct BookingAdapter {
    options: BookingOptions,
    binary: PathBuf,
    nats: PathBuf,
}

const PROBE_TIMEOUT: Duration = Duration::from_millis(300);

impl BookingAdapter {
    /// The booking service with `options`, its binary located as the module doc says.
    pub fn new(options: BookingOptions) -> Result<BookingAdapter, runner::RunError> {
        let binary = locate("booking-node", "RIFT_BOOKING_NODE")?;
        let nats = match options.replication {
            ReplicationKind::Log => locate("nats-server", "RIFT_NATS_SERVER")?,
            _ => PathBuf::from("nats-server"),
        };
        Ok(BookingAdapter {
            options,
            binary,
            nats,
        })
    }

    /// The options.
    pub fn options(&self) -> BookingOptions {
        self.options
    }

    /// The NATS servers of a cluster whose nodes are `node.peers`: server `i` serves clients on
    /// node `i`'s second port and its peers on the third, its files in node `i`'s data dir.
    fn nats_specs(node: &NodeSpec) -> Vec<NatsServerSpec> {
        let shift = |k: u16| -> Vec<SocketAddr> {
            node.peers
                .iter()
                .map(|p| SocketAddr::new(p.ip(), p.port() + k))
                .collect()
        };
        let dir = node.data_dir.parent().unwrap_or(&node.data_dir);
        NatsServerSpec::cluster(&shift(1), &shift(2), dir)
    }

    /// One `status` request to `addr`: the reply's `result`.
    pub fn status(addr: SocketAddr) -> Result<Value, String> {
        let mut s =
            TcpStream::connect_timeout(&addr, PROBE_TIMEOUT).map_err(|e| format!("{addr}: {e}"))?;
        s.set_read_timeout(Some(PROBE_TIMEOUT))
            .map_err(|e| e.to_string())?;
        s.set_write_timeout(Some(PROBE_TIMEOUT))
            .map_err(|e| e.to_string())?;
        s.write_all(b"{\"id\":1,\"op\":\"status\"}\n")
            .map_err(|e| format!("{addr}: {e}"))?;
        let mut line = String::new();
        BufReader::new(s)
            .read_line(&mut line)
            .map_err(|e| format!("{addr}: {e}"))?;
        let reply: Value =
            serde_json::from_str(&line).map_err(|e| format!("{addr} answered {line:?}: {e}"))?;
        if reply.get("ok") == Some(&Value::Bool(true)) {
            Ok(reply.get("result").cloned().unwrap_or(Value::Null))
        } else {
            Err(format!("{addr} answered {}", line.trim()))
        }
    }
}

impl Adapter for BookingAdapter {
    fn name(&self) -> String {
        format!("booking-{}", self.options.replication)
    }

    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        let peers: Vec<String> = node.peers.iter().map(|p| p.to_string()).collect();
        let mut args = vec![
            "--id".to_string(),
            node.id.0.to_string(),
            "--listen".into(),
            node.addr().to_string(),
            "--peers".into(),
            peers.join(","),
            "--data-dir".into(),
            node.data_dir.join("booking").display().to_string(),
            "--replication".into(),
            self.options.replication.to_string(),
            "--read".into(),
            self.options.read.to_string(),
        ];
        if let Some(c) = self.options.conflict {
            args.extend(["--conflict".into(), c.to_string()]);
        }
        if self.options.replication == ReplicationKind::Log {
            let urls: Vec<String> = Self::nats_specs(node)
                .iter()
                .map(NatsServerSpec::url)
                .collect();
            args.extend(["--nats".into(), urls.join(",")]);
        }
        Ok(NodeCommand::new(&self.binary, args))
    }

    fn companions(&self, node: &NodeSpec) -> Vec<Companion> {
        if self.options.replication != ReplicationKind::Log {
            return Vec::new();
        }
        let spec = Self::nats_specs(node).swap_remove(node.id.0);
        let client = spec.client;
        let args = spec.args();
        vec![Companion {
            name: "nats".into(),
            command: NodeCommand::new(&self.nats, args),
            ready_tcp: Some(client),
        }]
    }

    fn probe(&self, node: &NodeSpec, _shell: &dyn Shell) -> Result<(), String> {
        BookingAdapter::status(node.addr()).map(|_| ())
    }

    fn primaries(&self, nodes: &[NodeSpec], _shell: &dyn Shell) -> Option<Vec<NodeId>> {
        let primaries = nodes
            .iter()
            .filter(|n| {
                BookingAdapter::status(n.addr())
                    .ok()
                    .and_then(|s| s.get("role").and_then(Value::as_str).map(str::to_string))
                    .is_some_and(|r| r == "primary" || r == "leader")
            })
            .map(|n| n.id)
            .collect();
        match self.options.replication {
            ReplicationKind::Gossip | ReplicationKind::Log => None,
            _ => Some(primaries),
        }
    }
}
