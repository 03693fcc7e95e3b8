//! Redis nodes (a server and a Sentinel each) and their command lines.

use runner::system::NodeCommand;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The name under which the Sentinels monitor the primary.
pub const MASTER_NAME: &str = "mymaster";

/// One Redis node: a redis-server and, beside it on the same host, a Sentinel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedisNode {
    /// Its name (`r1`, `r2`, ...), also rift's name for the node.
    pub name: String,
    /// Where the redis-server listens (`IP:6379` in a namespace).
    pub server: SocketAddr,
    /// Where the Sentinel listens (`IP:26379` in a namespace).
    pub sentinel: SocketAddr,
}

/// Sentinel timing. Far shorter than Redis's defaults (30 s, 3 min) so failovers fit short runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelTiming {
    /// `down-after-milliseconds`: how long the primary must be silent to be deemed down.
    pub down_after_ms: u64,
    /// `failover-timeout`, in ms; a Sentinel whose failover attempt failed (a split vote) waits
    /// twice this before trying again.
    pub failover_timeout_ms: u64,
}

impl Default for SentinelTiming {
    fn default() -> SentinelTiming {
        SentinelTiming {
            down_after_ms: 1000,
            failover_timeout_ms: 2000,
        }
    }
}

/// A Redis deployment's shape: node 0 starts as the primary, the others as its replicas
/// (`--replicaof`), and one Sentinel per node monitors the primary with a quorum of a majority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisCluster {
    /// The nodes, in order; the first starts as the primary.
    pub nodes: Vec<RedisNode>,
    /// Sentinel timing for every Sentinel.
    pub timing: SentinelTiming,
    /// The `redis-server` binary.
    pub server_binary: PathBuf,
    /// The `redis-sentinel` binary.
    pub sentinel_binary: PathBuf,
}

impl RedisCluster {
    /// A deployment of `nodes` with default timing and the binaries on the PATH.
    pub fn new(nodes: Vec<RedisNode>) -> RedisCluster {
        RedisCluster {
            nodes,
            timing: SentinelTiming::default(),
            server_binary: PathBuf::from("redis-server"),
            sentinel_binary: PathBuf::from("redis-sentinel"),
        }
    }

    /// The Sentinel quorum: a majority of the Sentinels (2 of 3).
    pub fn quorum(&self) -> usize {
        self.nodes.len() / 2 + 1
    }

    /// The name of the node serving at `addr`, if it is one of ours.
    pub fn node_at(&self, addr: SocketAddr) -> Option<&str> {
        self.nodes
            .iter()
            .find(|n| n.server == addr)
            .map(|n| n.name.as_str())
    }

    /// The redis-server command line of node `i` (from 0) with its data in `dir`: no snapshots,
    /// an append-only file, replicas syncing without delay, and `--replicaof` the first node for
    /// every other node. A restarted node starts the same way; Sentinel then reconfigures it.
    pub fn server_command(&self, i: usize, dir: &Path) -> NodeCommand {
        let n = &self.nodes[i];
        let mut args: Vec<String> = [
            ("--bind", n.server.ip().to_string()),
            ("--port", n.server.port().to_string()),
            ("--dir", dir.display().to_string()),
            ("--save", String::new()),
            ("--appendonly", "yes".to_string()),
            ("--repl-diskless-sync", "yes".to_string()),
            ("--repl-diskless-sync-delay", "0".to_string()),
            ("--protected-mode", "no".to_string()),
            ("--daemonize", "no".to_string()),
        ]
        .into_iter()
        .flat_map(|(flag, value)| [flag.to_string(), value])
        .collect();
        if i != 0 {
            let primary = self.nodes[0].server;
            args.extend([
                "--replicaof".to_string(),
                primary.ip().to_string(),
                primary.port().to_string(),
            ]);
        }
        NodeCommand {
            program: self.server_binary.clone(),
            args,
            ..NodeCommand::default()
        }
    }

    /// The configuration file node `i`'s Sentinel starts from: it monitors the first node with
    /// a majority quorum and already knows the replicas, so it need not wait for the primary's
    /// periodic INFO (every 10 s) to discover them.
    pub fn sentinel_config(&self, i: usize) -> String {
        let n = &self.nodes[i];
        let primary = self.nodes[0].server;
        let t = self.timing;
        let mut conf = format!(
            "bind {ip}\nport {port}\nprotected-mode no\ndaemonize no\n\
             sentinel monitor {MASTER_NAME} {pip} {pport} {quorum}\n\
             sentinel down-after-milliseconds {MASTER_NAME} {down}\n\
             sentinel failover-timeout {MASTER_NAME} {failover}\n\
             sentinel parallel-syncs {MASTER_NAME} 1\n",
            ip = n.sentinel.ip(),
            port = n.sentinel.port(),
            pip = primary.ip(),
            pport = primary.port(),
            quorum = self.quorum(),
            down = t.down_after_ms,
            failover = t.failover_timeout_ms,
        );
        for replica in &self.nodes[1..] {
            let r = replica.server;
            conf.push_str(&format!(
                "sentinel known-replica {MASTER_NAME} {} {}\n",
                r.ip(),
                r.port()
            ));
        }
        conf
    }

    /// The command line of node `i`'s Sentinel with its data in `dir`. Sentinel insists on a
    /// configuration file it can rewrite, so the command writes [`Self::sentinel_config`] to
    /// `dir/sentinel.conf` and then becomes the Sentinel (`sh -c '... && exec redis-sentinel'`),
    /// keeping one process whose pid is the Sentinel's.
    pub fn sentinel_command(&self, i: usize, dir: &Path) -> NodeCommand {
        let conf = dir.join("sentinel.conf");
        NodeCommand {
            program: PathBuf::from("sh"),
            args: vec![
                "-c".to_string(),
                r#"printf '%s' "$1" > "$2" && exec "$3" "$2""#.to_string(),
                "sentinel".to_string(),
                self.sentinel_config(i),
                conf.display().to_string(),
                self.sentinel_binary.display().to_string(),
            ],
            ..NodeCommand::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn three() -> RedisCluster {
        let nodes = (0..3)
            .map(|i| {
                let ip = IpAddr::V4(Ipv4Addr::new(10, 77, 0, 2 + i as u8));
                RedisNode {
                    name: format!("r{}", i + 1),
                    server: SocketAddr::new(ip, 6379),
                    sentinel: SocketAddr::new(ip, 26379),
                }
            })
            .collect();
        RedisCluster::new(nodes)
    }

    #[test]
    fn the_first_node_starts_as_primary_and_the_others_replicate_it() {
        let c = three();
        let primary = c.server_command(0, Path::new("/d1")).args.join(" ");
        assert!(!primary.contains("--replicaof"), "{primary}");
        let replica = c.server_command(2, Path::new("/d3")).args.join(" ");
        assert!(replica.contains("--bind 10.77.0.4 --port 6379 --dir /d3"));
        assert!(replica.ends_with("--replicaof 10.77.0.2 6379"), "{replica}");
    }

    #[test]
    fn a_server_keeps_an_append_only_file_and_no_snapshots_and_syncs_at_once() {
        let args = three().server_command(1, Path::new("/d2")).args;
        let pair = |flag: &str| {
            let i = args.iter().position(|a| a == flag).unwrap();
            args[i + 1].clone()
        };
        assert_eq!(pair("--save"), "");
        assert_eq!(pair("--appendonly"), "yes");
        assert_eq!(pair("--repl-diskless-sync-delay"), "0");
    }

    #[test]
    fn sentinels_monitor_the_first_node_with_a_majority_quorum() {
        let conf = three().sentinel_config(1);
        assert!(conf.contains("bind 10.77.0.3\nport 26379\n"));
        assert!(conf.contains("sentinel monitor mymaster 10.77.0.2 6379 2\n"));
        assert!(conf.contains("sentinel down-after-milliseconds mymaster 1000\n"));
        assert!(conf.contains("sentinel failover-timeout mymaster 2000\n"));
        assert!(conf.contains("sentinel known-replica mymaster 10.77.0.3 6379\n"));
        assert!(conf.contains("sentinel known-replica mymaster 10.77.0.4 6379\n"));
    }

    #[test]
    fn a_sentinel_writes_its_config_file_then_becomes_the_sentinel() {
        let c = three();
        let cmd = c.sentinel_command(0, Path::new("/d1"));
        assert_eq!(cmd.program, PathBuf::from("sh"));
        assert!(cmd.args[1].contains("exec"));
        assert_eq!(cmd.args[3], c.sentinel_config(0));
        assert_eq!(cmd.args[4], "/d1/sentinel.conf");
        assert_eq!(cmd.args[5], "redis-sentinel");
    }
}
