//! etcd members and their command lines.

use runner::system::NodeCommand;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// One member of an etcd cluster: its name and the two addresses it listens on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtcdMember {
    /// Its name (`e1`, `e2`, ...), also rift's name for the node.
    pub name: String,
    /// Where clients reach it (`IP:2379` in a namespace).
    pub client: SocketAddr,
    /// Where the other members reach it (`IP:2380` in a namespace).
    pub peer: SocketAddr,
}

/// Whether a member starts a new cluster or rejoins the one its data directory belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterState {
    /// The first start of every member: `--initial-cluster-state new`.
    New,
    /// A restart on an existing data directory: `--initial-cluster-state existing`.
    Existing,
}

/// Raft timing. Shorter than etcd's defaults (100 ms, 1000 ms) so failovers fit in short runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaftTiming {
    /// `--heartbeat-interval`, in ms.
    pub heartbeat_ms: u64,
    /// `--election-timeout`, in ms; etcd wants at least five heartbeats.
    pub election_ms: u64,
}

impl Default for RaftTiming {
    fn default() -> RaftTiming {
        RaftTiming {
            heartbeat_ms: 50,
            election_ms: 500,
        }
    }
}

/// An etcd cluster's shape: its members, Raft timing, the binary, and a token unique to the run
/// so that members of two runs never join each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EtcdCluster {
    /// The members, in node order.
    pub members: Vec<EtcdMember>,
    /// Raft timing for every member.
    pub timing: RaftTiming,
    /// The `etcd` binary.
    pub binary: PathBuf,
    /// `--initial-cluster-token`.
    pub token: String,
}

impl EtcdCluster {
    /// A cluster of `members` with default timing, the `etcd` on the PATH, and `token`.
    pub fn new(members: Vec<EtcdMember>, token: &str) -> EtcdCluster {
        EtcdCluster {
            members,
            timing: RaftTiming::default(),
            binary: PathBuf::from("etcd"),
            token: token.to_string(),
        }
    }

    /// `e1=http://PEER1,e2=http://PEER2,...`
    pub fn initial_cluster(&self) -> String {
        let urls: Vec<String> = self
            .members
            .iter()
            .map(|m| format!("{}=http://{}", m.name, m.peer))
            .collect();
        urls.join(",")
    }

    /// The command line of member `i` (from 0) on `data_dir`.
    pub fn command(&self, i: usize, data_dir: &Path, state: ClusterState) -> NodeCommand {
        let m = &self.members[i];
        let client = format!("http://{}", m.client);
        let peer = format!("http://{}", m.peer);
        let state = match state {
            ClusterState::New => "new",
            ClusterState::Existing => "existing",
        };
        let args = [
            ("--name", m.name.clone()),
            ("--data-dir", data_dir.display().to_string()),
            ("--listen-client-urls", client.clone()),
            ("--advertise-client-urls", client),
            ("--listen-peer-urls", peer.clone()),
            ("--initial-advertise-peer-urls", peer),
            ("--initial-cluster", self.initial_cluster()),
            ("--initial-cluster-state", state.to_string()),
            ("--initial-cluster-token", self.token.clone()),
            ("--heartbeat-interval", self.timing.heartbeat_ms.to_string()),
            ("--election-timeout", self.timing.election_ms.to_string()),
            ("--logger", "zap".to_string()),
            ("--log-outputs", "stderr".to_string()),
        ];
        NodeCommand {
            program: self.binary.clone(),
            args: args
                .into_iter()
                .flat_map(|(flag, value)| [flag.to_string(), value])
                .collect(),
            ..NodeCommand::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn three() -> EtcdCluster {
        let members = (0..3)
            .map(|i| {
                let ip = IpAddr::V4(Ipv4Addr::new(10, 77, 0, 2 + i as u8));
                EtcdMember {
                    name: format!("e{}", i + 1),
                    client: SocketAddr::new(ip, 2379),
                    peer: SocketAddr::new(ip, 2380),
                }
            })
            .collect();
        EtcdCluster::new(members, "rift-t1")
    }

    #[test]
    fn a_member_listens_on_its_own_ip_for_clients_and_peers() {
        let c = three().command(1, Path::new("/tmp/d2"), ClusterState::New);
        let args = c.args.join(" ");
        assert!(args.starts_with("--name e2 --data-dir /tmp/d2 "));
        assert!(args.contains("--listen-client-urls http://10.77.0.3:2379 --advertise-client-urls http://10.77.0.3:2379"));
        assert!(args.contains("--listen-peer-urls http://10.77.0.3:2380 --initial-advertise-peer-urls http://10.77.0.3:2380"));
        assert!(args.contains("--initial-cluster e1=http://10.77.0.2:2380,e2=http://10.77.0.3:2380,e3=http://10.77.0.4:2380"));
        assert!(args.contains("--initial-cluster-state new"));
    }

    #[test]
    fn a_restarted_member_joins_the_existing_cluster() {
        let c = three().command(0, Path::new("/tmp/d1"), ClusterState::Existing);
        assert!(c
            .args
            .join(" ")
            .contains("--initial-cluster-state existing"));
    }

    #[test]
    fn the_election_timeout_is_shorter_than_etcds_default() {
        let c = three().command(2, Path::new("/tmp/d3"), ClusterState::New);
        let args = c.args.join(" ");
        assert!(args.contains("--heartbeat-interval 50 --election-timeout 500"));
    }
}
