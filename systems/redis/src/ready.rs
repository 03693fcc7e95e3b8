//! When a Redis node is ready, and which node is the primary: blocking queries, each bounded in
//! time, for the cluster's readiness probe (run on a plain thread).
//!
//! A node is ready when its server answers, a replica has synced with its primary, a primary is
//! the one the Sentinels name (an old primary back from a partition is not ready until a
//! Sentinel has demoted it), and its Sentinel names the primary and knows every replica and every
//! other Sentinel, so that a failover can start as soon as a run begins.
//!
//! The probe also shortens the Sentinel's own periods with `SENTINEL DEBUG` (Redis 7): INFO to
//! every instance each second (10 s by default for replicas, which is how long an old primary
//! would otherwise keep running as a primary after a heal) and hello messages every 500 ms.
//! Runtime settings, so the probe sets them each time (idempotent).

use crate::node::{RedisCluster, MASTER_NAME};
use redis::{Cmd, ConnectionAddr, FromRedisValue, Value};
use std::net::SocketAddr;
use std::time::Duration;

/// Why node `i` is not ready yet, or `Ok` when it is. Each query gives up after `timeout`.
pub fn probe(cluster: &RedisCluster, i: usize, timeout: Duration) -> Result<(), String> {
    let node = &cluster.nodes[i];
    let others = cluster.nodes.len() - 1;
    let info: String = query(node.server, timeout, &words(&["INFO", "replication"]))
        .map_err(|e| format!("{} server: {e}", node.name))?;
    if info.contains("role:slave") && !info.contains("master_link_status:up") {
        return Err(format!(
            "{} replica has not synced with its primary",
            node.name
        ));
    }
    let role_line = info.lines().find(|l| l.starts_with("role:")).unwrap_or("");
    let tune = words(&[
        "SENTINEL",
        "DEBUG",
        "INFO-PERIOD",
        "1000",
        "PUBLISH-PERIOD",
        "500",
    ]);
    query::<()>(node.sentinel, timeout, &tune)
        .map_err(|e| format!("{} Sentinel: {e}", node.name))?;
    let sentinel = |what: &[&str]| {
        query::<Vec<Value>>(node.sentinel, timeout, &words(what))
            .map_err(|e| format!("{} Sentinel: {e}", node.name))
    };
    let named =
        primary_by(cluster, i, timeout).map_err(|e| format!("{} Sentinel: {e}", node.name))?;
    if role_line.trim() == "role:slave" && named == i {
        return Err(format!(
            "{} is named primary but still runs as a replica",
            node.name
        ));
    }
    if role_line.trim() == "role:master" && named != i {
        return Err(format!(
            "{} runs as a primary, but its Sentinel names {}",
            node.name, cluster.nodes[named].name
        ));
    }
    for (what, sub) in [("replicas", "replicas"), ("Sentinels", "sentinels")] {
        let known = sentinel(&["SENTINEL", sub, MASTER_NAME])?.len();
        if known < others {
            return Err(format!(
                "{} Sentinel knows {known} of {others} {what}",
                node.name
            ));
        }
    }
    Ok(())
}

/// The primary according to node `i`'s Sentinel, as a node index.
pub fn primary_by(cluster: &RedisCluster, i: usize, timeout: Duration) -> Result<usize, String> {
    let sentinel = cluster.nodes[i].sentinel;
    let ask = words(&["SENTINEL", "get-master-addr-by-name", MASTER_NAME]);
    let (ip, port): (String, u16) = query(sentinel, timeout, &ask)?;
    let addr = SocketAddr::new(ip.parse().map_err(|_| format!("bad address {ip:?}"))?, port);
    cluster
        .nodes
        .iter()
        .position(|n| n.server == addr)
        .ok_or_else(|| format!("Sentinel named {addr}, none of the nodes"))
}

fn words(words: &[&str]) -> Cmd {
    let mut c = Cmd::new();
    for w in words {
        c.arg(*w);
    }
    c
}

fn query<T: FromRedisValue>(addr: SocketAddr, timeout: Duration, cmd: &Cmd) -> Result<T, String> {
    let client = redis::Client::open(ConnectionAddr::Tcp(addr.ip().to_string(), addr.port()))
        .map_err(|e| e.to_string())?;
    let mut c = client
        .get_connection_with_timeout(timeout)
        .map_err(|e| format!("{addr}: {e}"))?;
    c.set_read_timeout(Some(timeout))
        .and_then(|()| c.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    cmd.query(&mut c).map_err(|e| format!("{addr}: {e}"))
}
