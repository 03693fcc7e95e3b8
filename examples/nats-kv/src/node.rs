//! The node side: node `i` is `nats-server` `n{i}` with JetStream, clients on the node's port
//! (4222 in the local backend, where each node has its own address), cluster routes on the next
//! port, HTTP monitoring on the one after.

use runner::system::{Adapter, NodeCommand, NodeSpec, Shell};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long one readiness question may take.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// The cluster's port offset from a node's client port.
const CLUSTER: u16 = 1;
/// The monitoring port's offset.
const MONITOR: u16 = 2;

/// A JetStream cluster of the nodes the cluster gives it.
pub struct NatsNodes;

impl Adapter for NatsNodes {
    fn name(&self) -> String {
        "nats-kv".into()
    }

    fn port(&self) -> u16 {
        4222
    }

    /// Routes to every other node's cluster port; JetStream keeps its state in `DATA_DIR/js`,
    /// so a restarted server finds its streams again.
    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        let route = |p: &SocketAddr| format!("nats://{}:{}", p.ip(), p.port() + CLUSTER);
        let routes: Vec<String> = node
            .peers
            .iter()
            .filter(|p| **p != node.addr())
            .map(route)
            .collect();
        let args = [
            "--name".to_string(),
            node.id.to_string(),
            "--addr".into(),
            node.ip.to_string(),
            "--port".into(),
            node.port.to_string(),
            "--http_port".into(),
            (node.port + MONITOR).to_string(),
            "--jetstream".into(),
            "--store_dir".into(),
            node.data_dir.join("js").display().to_string(),
            "--cluster_name".into(),
            "rift".into(),
            "--cluster".into(),
            route(&node.addr()),
            "--routes".into(),
            routes.join(","),
            // Clients stay on the server they were given.
            "--no_advertise".into(),
        ];
        Ok(NodeCommand::new("nats-server", args))
    }

    /// Ready when `/healthz` answers 200: the server is up and its JetStream is in contact
    /// with a meta leader (so the first start is ready only once a quorum of servers is up).
    fn probe(&self, node: &NodeSpec, _shell: &dyn Shell) -> Result<(), String> {
        let answer = get(node.addr_at(MONITOR), "/healthz").map_err(|e| e.to_string())?;
        let status = answer.lines().next().unwrap_or("");
        if status.contains(" 200 ") {
            Ok(())
        } else {
            Err(format!(
                "/healthz: {}",
                answer.lines().last().unwrap_or(status)
            ))
        }
    }
}

/// The whole answer to an HTTP/1.0 GET of `path`, bounded by [`PROBE_TIMEOUT`] per step.
fn get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT)?;
    s.set_read_timeout(Some(PROBE_TIMEOUT))?;
    s.set_write_timeout(Some(PROBE_TIMEOUT))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    Ok(answer)
}
