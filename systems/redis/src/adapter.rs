//! Redis's node side, a rift [`Adapter`]: node `i` is a redis-server `n{i}` on the node's port (6379 in
//! the local backend, where each node has its own address) with a Sentinel beside it on the
//! next port, started as the node's companion: partitions cut it off with its node, while
//! pausing or killing the node leaves it running, as a Sentinel on the same host would be.

use crate::node::{RedisCluster, RedisNode, SentinelTiming};
use crate::ready::{primary_by, probe};
use faults::NodeId;
use runner::system::NodeCommand;
use runner::system::{Adapter, Companion, NodeSpec, Shell};
use std::net::SocketAddr;
use std::time::Duration;

/// How long one readiness or primary question may take.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// A Redis deployment with Sentinels on the nodes the cluster gives it.
#[derive(Debug, Clone, Default)]
pub struct RedisAdapter {
    /// Sentinel timing.
    pub timing: SentinelTiming,
}

/// The Redis deployment on nodes whose server addresses are `peers` (in id order).
pub fn deployment(peers: &[SocketAddr], timing: SentinelTiming) -> RedisCluster {
    let nodes = peers
        .iter()
        .enumerate()
        .map(|(i, server)| RedisNode {
            name: NodeId(i).to_string(),
            server: *server,
            sentinel: SocketAddr::new(server.ip(), server.port() + 1),
        })
        .collect();
    let mut c = RedisCluster::new(nodes);
    c.timing = timing;
    c
}

impl Adapter for RedisAdapter {
    fn name(&self) -> String {
        "redis".into()
    }

    fn port(&self) -> u16 {
        6379
    }

    /// The server: `n0` starts as the primary, the others `--replicaof` it.
    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        Ok(deployment(&node.peers, self.timing).server_command(node.id.0, &node.data_dir))
    }

    /// The node's Sentinel.
    fn companions(&self, node: &NodeSpec) -> Vec<Companion> {
        let d = deployment(&node.peers, self.timing);
        let i = node.id.0;
        vec![Companion {
            name: "sentinel".into(),
            command: d.sentinel_command(i, &node.data_dir),
            ready_tcp: Some(d.nodes[i].sentinel),
        }]
    }

    /// Ready when the server answers, a replica has synced, and the node's Sentinel names the
    /// primary and knows every replica and Sentinel.
    fn probe(&self, node: &NodeSpec, _shell: &dyn Shell) -> Result<(), String> {
        probe(
            &deployment(&node.peers, self.timing),
            node.id.0,
            PROBE_TIMEOUT,
        )
    }

    /// The node most Sentinels name as primary (ties to the lowest id); `None` if none answers.
    fn primaries(&self, nodes: &[NodeSpec], _shell: &dyn Shell) -> Option<Vec<NodeId>> {
        let peers: Vec<SocketAddr> = nodes.iter().map(NodeSpec::addr).collect();
        let d = deployment(&peers, self.timing);
        let mut votes = vec![0usize; nodes.len()];
        for i in 0..nodes.len() {
            if let Ok(p) = primary_by(&d, i, PROBE_TIMEOUT) {
                votes[p] += 1;
            }
        }
        let (best, &count) = votes
            .iter()
            .enumerate()
            .max_by_key(|&(i, v)| (*v, std::cmp::Reverse(i)))?;
        (count > 0).then(|| vec![NodeId(best)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};
    use std::path::Path;

    fn spec(i: usize) -> NodeSpec {
        let ip = |i: u8| IpAddr::V4(Ipv4Addr::new(10, 9, 0, 2 + i));
        NodeSpec {
            id: NodeId(i),
            ip: ip(i as u8),
            port: 6379,
            peers: (0..3).map(|k| SocketAddr::new(ip(k), 6379)).collect(),
            data_dir: Path::new("/w").join(format!("n{i}")),
            restart: false,
        }
    }

    #[test]
    fn node_i_is_server_ni_with_its_sentinel_on_the_next_port() {
        let a = RedisAdapter::default();
        let server = a.command(&spec(2)).unwrap().args.join(" ");
        assert!(
            server.starts_with("--bind 10.9.0.4 --port 6379 --dir /w/n2 "),
            "{server}"
        );
        assert!(server.ends_with("--replicaof 10.9.0.2 6379"), "{server}");
        let companions = a.companions(&spec(2));
        assert_eq!(companions.len(), 1);
        assert_eq!(
            companions[0].ready_tcp,
            Some("10.9.0.4:6380".parse().unwrap())
        );
        let conf = &companions[0].command.args[3];
        assert!(conf.contains("bind 10.9.0.4\nport 6380\n"), "{conf}");
        assert!(conf.contains("sentinel monitor mymaster 10.9.0.2 6379 2\n"));
    }
}
