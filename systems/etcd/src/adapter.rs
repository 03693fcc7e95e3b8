//! etcd's node side, a rift [`Adapter`]: node `i` is member `n{i}`, clients on the node's port (2379 in
//! the local backend, where each node has its own address), peers on the next port (2380).

use crate::node::{ClusterState, EtcdCluster, EtcdMember, RaftTiming};
use crate::probe::{health, is_leader};
use faults::NodeId;
use runner::system::NodeCommand;
use runner::system::{Adapter, NodeSpec, Shell};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How long one readiness or leader question may take.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// An etcd cluster of the nodes the cluster gives it.
#[derive(Debug, Clone, Default)]
pub struct EtcdAdapter {
    /// Raft timing of every member.
    pub timing: RaftTiming,
}

/// The etcd members of nodes whose client addresses are `peers` (in id order).
pub fn members(peers: &[SocketAddr]) -> Vec<EtcdMember> {
    peers
        .iter()
        .enumerate()
        .map(|(i, client)| EtcdMember {
            name: NodeId(i).to_string(),
            client: *client,
            peer: SocketAddr::new(client.ip(), client.port() + 1),
        })
        .collect()
}

impl EtcdAdapter {
    fn cluster(&self, node: &NodeSpec) -> EtcdCluster {
        let token = format!("rift-{}", node.peers.first().map_or(0, |p| p.port()));
        let mut c = EtcdCluster::new(members(&node.peers), &token);
        c.timing = self.timing;
        c
    }
}

impl Adapter for EtcdAdapter {
    fn name(&self) -> String {
        "etcd".into()
    }

    fn port(&self) -> u16 {
        2379
    }

    /// The command line, with `--initial-cluster-state existing` on a restart. Data
    /// lives in `DATA_DIR/etcd`, which etcd creates itself with the permissions it wants.
    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        let state = if node.restart {
            ClusterState::Existing
        } else {
            ClusterState::New
        };
        let dir: PathBuf = node.data_dir.join("etcd");
        Ok(self.cluster(node).command(node.id.0, &dir, state))
    }

    /// Ready when `/health` says true: the member has a leader (so the first start is ready
    /// only once a quorum of members is up).
    fn probe(&self, node: &NodeSpec, _shell: &dyn Shell) -> Result<(), String> {
        health(node.addr(), PROBE_TIMEOUT)
    }

    /// The member that reports itself leader, if one does.
    fn primaries(&self, nodes: &[NodeSpec], _shell: &dyn Shell) -> Option<Vec<NodeId>> {
        let leaders: Vec<NodeId> = nodes
            .iter()
            .filter(|n| is_leader(n.addr(), PROBE_TIMEOUT).unwrap_or(false))
            .map(|n| n.id)
            .collect();
        (!leaders.is_empty()).then_some(leaders)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};
    use std::path::Path;

    fn spec(i: usize, restart: bool) -> NodeSpec {
        let ip = |i: u8| IpAddr::V4(Ipv4Addr::new(10, 9, 0, 2 + i));
        NodeSpec {
            id: NodeId(i),
            ip: ip(i as u8),
            port: 2379,
            peers: (0..3).map(|k| SocketAddr::new(ip(k), 2379)).collect(),
            data_dir: Path::new("/w").join(format!("n{i}")),
            restart,
        }
    }

    #[test]
    fn node_i_is_member_ni_on_its_own_address_with_peers_on_the_next_port() {
        let c = EtcdAdapter::default().command(&spec(1, false)).unwrap();
        let args = c.args.join(" ");
        assert!(
            args.starts_with("--name n1 --data-dir /w/n1/etcd "),
            "{args}"
        );
        assert!(args.contains("--listen-client-urls http://10.9.0.3:2379"));
        assert!(args.contains("--listen-peer-urls http://10.9.0.3:2380"));
        assert!(args.contains(
            "--initial-cluster n0=http://10.9.0.2:2380,n1=http://10.9.0.3:2380,n2=http://10.9.0.4:2380"
        ));
        assert!(args.contains("--initial-cluster-state new"));
    }

    #[test]
    fn a_restart_joins_the_existing_cluster() {
        let c = EtcdAdapter::default().command(&spec(2, true)).unwrap();
        assert!(c
            .args
            .join(" ")
            .contains("--initial-cluster-state existing"));
    }
}
