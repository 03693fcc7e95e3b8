//! A Redis client for one rift process: writes go to the primary that Sentinel names, reads to
//! the primary or to the client's own node.
//!
//! Each call has a client-side timeout, and failures are classified in two phases: failing to
//! ask a Sentinel or to connect is definite (nothing was sent); once a command was sent, a
//! timeout or a broken connection is indefinite. After any error the client forgets its
//! connections and asks a Sentinel again before its next write, so it follows failovers.
//!
//! Compare-and-set is a Lua script (`EVAL`) rather than `WATCH`/`MULTI`: a script runs
//! atomically on the primary in one round trip and answers 1 or 0, so a failed compare is a
//! definite `fail`; `WATCH` keeps state on the connection, which a reconnect between `WATCH`
//! and `EXEC` silently drops, and needs three round trips.

use crate::node::{RedisCluster, MASTER_NAME};
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Cmd, ConnectionAddr, FromRedisValue, RedisError};
use runner::system::{ClientError, FailureKind};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Sets `KEYS[1]` to `ARGV[2]` if its value is `ARGV[1]`; answers 1 if it did, else 0.
const CAS_SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
     redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";

/// Where reads go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadFrom {
    /// The primary Sentinel names, like writes.
    #[default]
    Primary,
    /// The client's own node, whatever its role: a replica, possibly behind the primary.
    Local,
}

/// `WAIT replicas timeout_ms` after each write: block until that many replicas acknowledged
/// every write made *on this connection*, or the timeout passed.
///
/// What it does: a write answered `ok` was on the primary and on `replicas` replicas when the
/// client heard back. What it does not: make the write durable or roll it back. A write whose
/// WAIT fell short is still applied on the primary (recorded `info`, not `fail`), and a failover
/// may still promote a replica that missed a write acknowledged by other replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitFor {
    /// How many replicas must acknowledge.
    pub replicas: usize,
    /// How long to wait for them, in ms.
    pub timeout_ms: u64,
}

/// A value a node answered with, and the node that answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served<T> {
    /// The node's name.
    pub node: String,
    /// The answer.
    pub value: T,
}

/// A client living on one node of a Redis deployment with Sentinels. Shared by concurrent
/// callers: its connections are multiplexed, and forgotten after any error.
pub struct RedisClient {
    cluster: Arc<RedisCluster>,
    home: usize,
    read_from: ReadFrom,
    wait: Option<WaitFor>,
    timeout: Duration,
    primary: Mutex<Option<(usize, MultiplexedConnection)>>,
    local: Mutex<Option<MultiplexedConnection>>,
}

impl RedisClient {
    /// A client living on node `home` (its Sentinel is asked first; `Local` reads go to it).
    /// Each Sentinel query, connection and command gives up after `timeout`.
    pub fn new(
        cluster: Arc<RedisCluster>,
        home: usize,
        read_from: ReadFrom,
        wait: Option<WaitFor>,
        timeout: Duration,
    ) -> RedisClient {
        RedisClient {
            cluster,
            home,
            read_from,
            wait,
            timeout,
            primary: Mutex::new(None),
            local: Mutex::new(None),
        }
    }

    /// The address of the primary according to the Sentinels, asking the client's own Sentinel
    /// first, then the others in order. The first answer wins.
    pub async fn primary_address(&self) -> Result<SocketAddr, ClientError> {
        let n = self.cluster.nodes.len();
        let mut last = String::from("no Sentinel");
        for i in (0..n).map(|k| (self.home + k) % n) {
            let sentinel = &self.cluster.nodes[i];
            let mut ask = Cmd::new();
            ask.arg("SENTINEL")
                .arg("get-master-addr-by-name")
                .arg(MASTER_NAME);
            let answer = async {
                let mut c = connect(sentinel.sentinel, self.timeout).await?;
                let ask = bounded(
                    self.timeout,
                    ask.query_async::<Option<(String, u16)>>(&mut c),
                );
                Ok::<_, ConnectFailure>(ask.await?)
            };
            match answer.await {
                Ok(Some((ip, port))) => match ip.parse() {
                    Ok(ip) => return Ok(SocketAddr::new(ip, port)),
                    Err(_) => last = format!("{}'s Sentinel named {ip:?}", sentinel.name),
                },
                Ok(None) => last = format!("{}'s Sentinel knows no {MASTER_NAME}", sentinel.name),
                Err(e) => last = format!("{}'s Sentinel: {}", sentinel.name, e.detail),
            }
        }
        Err(ClientError::new(
            &self.cluster.nodes[self.home].name,
            FailureKind::Unreachable,
            format!("no Sentinel named a primary; last: {last}"),
        ))
    }

    /// `SET key value` on the primary.
    pub async fn set(&self, key: &str, value: &str) -> Result<Served<()>, ClientError> {
        let mut cmd = Cmd::new();
        cmd.arg("SET").arg(key).arg(value);
        self.write::<()>(cmd).await
    }

    /// `SADD key element` on the primary.
    pub async fn add(&self, key: &str, element: &str) -> Result<Served<()>, ClientError> {
        let mut cmd = Cmd::new();
        cmd.arg("SADD").arg(key).arg(element);
        self.write::<i64>(cmd).await.map(|s| Served {
            node: s.node,
            value: (),
        })
    }

    /// Sets `key` to `new` if its value is `old`, atomically on the primary. `false`: it was not
    /// `old`, and nothing was written.
    pub async fn cas(&self, key: &str, old: &str, new: &str) -> Result<Served<bool>, ClientError> {
        let mut cmd = Cmd::new();
        cmd.arg("EVAL")
            .arg(CAS_SCRIPT)
            .arg(1)
            .arg(key)
            .arg(old)
            .arg(new);
        self.write::<i64>(cmd).await.map(|s| Served {
            node: s.node,
            value: s.value == 1,
        })
    }

    /// `GET key`, from where this client reads.
    pub async fn get(&self, key: &str) -> Result<Served<Option<String>>, ClientError> {
        let mut cmd = Cmd::new();
        cmd.arg("GET").arg(key);
        self.read(cmd).await
    }

    /// `SMEMBERS key`, from where this client reads.
    pub async fn members(&self, key: &str) -> Result<Served<Vec<String>>, ClientError> {
        let mut cmd = Cmd::new();
        cmd.arg("SMEMBERS").arg(key);
        self.read(cmd).await
    }

    /// `SMEMBERS key` from node `i`, whatever its role: the final reads of a set workload.
    pub async fn members_on(
        &self,
        i: usize,
        key: &str,
    ) -> Result<Served<Vec<String>>, ClientError> {
        let node = &self.cluster.nodes[i];
        let mut c = self.connected(node.server, &node.name).await?;
        let mut cmd = Cmd::new();
        cmd.arg("SMEMBERS").arg(key);
        let value = self.run(&node.name, &cmd, &mut c).await?;
        Ok(Served {
            node: node.name.clone(),
            value,
        })
    }

    async fn write<T: FromRedisValue>(&self, cmd: Cmd) -> Result<Served<T>, ClientError> {
        let result = self.write_once(&cmd).await;
        if result.is_err() {
            forget(&self.primary);
        }
        result
    }

    async fn write_once<T: FromRedisValue>(&self, cmd: &Cmd) -> Result<Served<T>, ClientError> {
        let (i, mut c) = self.primary_connection().await?;
        let name = self.cluster.nodes[i].name.clone();
        let value = self.run(&name, cmd, &mut c).await?;
        if let Some(w) = self.wait {
            let mut wait = Cmd::new();
            wait.arg("WAIT").arg(w.replicas).arg(w.timeout_ms);
            let timeout = self.timeout + Duration::from_millis(w.timeout_ms);
            let acked: i64 = bounded(timeout, wait.query_async(&mut c))
                .await
                .map_err(|e| classify(&name, e))?;
            if acked < w.replicas as i64 {
                return Err(ClientError::new(
                    &name,
                    FailureKind::Unreplicated,
                    format!(
                        "WAIT {} {}: {acked} replica(s) acknowledged",
                        w.replicas, w.timeout_ms
                    ),
                ));
            }
        }
        Ok(Served { node: name, value })
    }

    async fn read<T: FromRedisValue>(&self, cmd: Cmd) -> Result<Served<T>, ClientError> {
        let result = match self.read_from {
            ReadFrom::Primary => self.read_primary(&cmd).await,
            ReadFrom::Local => self.read_local(&cmd).await,
        };
        if result.is_err() {
            forget(&self.primary);
            forget(&self.local);
        }
        result
    }

    async fn read_primary<T: FromRedisValue>(&self, cmd: &Cmd) -> Result<Served<T>, ClientError> {
        let (i, mut c) = self.primary_connection().await?;
        let name = self.cluster.nodes[i].name.clone();
        let value = self.run(&name, cmd, &mut c).await?;
        Ok(Served { node: name, value })
    }

    async fn read_local<T: FromRedisValue>(&self, cmd: &Cmd) -> Result<Served<T>, ClientError> {
        let node = self.cluster.nodes[self.home].clone();
        let cached = lock(&self.local).clone();
        let mut c = match cached {
            Some(c) => c,
            None => {
                let c = self.connected(node.server, &node.name).await?;
                *lock(&self.local) = Some(c.clone());
                c
            }
        };
        let value = self.run(&node.name, cmd, &mut c).await?;
        Ok(Served {
            node: node.name,
            value,
        })
    }

    async fn primary_connection(&self) -> Result<(usize, MultiplexedConnection), ClientError> {
        if let Some((i, c)) = lock(&self.primary).clone() {
            return Ok((i, c));
        }
        let addr = self.primary_address().await?;
        let Some(i) = self.cluster.nodes.iter().position(|n| n.server == addr) else {
            return Err(ClientError::new(
                &self.cluster.nodes[self.home].name,
                FailureKind::Unreachable,
                format!("Sentinel named {addr}, which is none of the nodes"),
            ));
        };
        let c = self.connected(addr, &self.cluster.nodes[i].name).await?;
        *lock(&self.primary) = Some((i, c.clone()));
        Ok((i, c))
    }

    async fn connected(
        &self,
        addr: SocketAddr,
        name: &str,
    ) -> Result<MultiplexedConnection, ClientError> {
        connect(addr, self.timeout)
            .await
            .map_err(|e| ClientError::new(name, FailureKind::Unreachable, e.detail))
    }

    async fn run<T: FromRedisValue>(
        &self,
        node: &str,
        cmd: &Cmd,
        c: &mut MultiplexedConnection,
    ) -> Result<T, ClientError> {
        bounded(self.timeout, cmd.query_async(c))
            .await
            .map_err(|e| classify(node, e))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn forget<T>(m: &Mutex<Option<T>>) {
    *lock(m) = None;
}

/// A failure before classification: a timeout, or the client library's error.
enum Raw {
    Elapsed,
    Redis(RedisError),
}

/// What a failed connect or Sentinel query says, for the Unreachable error built from it.
struct ConnectFailure {
    detail: String,
}

impl From<Raw> for ConnectFailure {
    fn from(raw: Raw) -> ConnectFailure {
        ConnectFailure {
            detail: match raw {
                Raw::Elapsed => "timed out".to_string(),
                Raw::Redis(e) => e.to_string(),
            },
        }
    }
}

async fn connect(
    addr: SocketAddr,
    timeout: Duration,
) -> Result<MultiplexedConnection, ConnectFailure> {
    let client = redis::Client::open(ConnectionAddr::Tcp(addr.ip().to_string(), addr.port()))
        .map_err(|e| ConnectFailure {
            detail: e.to_string(),
        })?;
    // Every call is bounded by the client's own timeout (plus WAIT's); the crate's defaults
    // (500 ms a response, 1 s to connect) would cut a slow call or a long WAIT short and report
    // it as a lost connection.
    let unbounded = AsyncConnectionConfig::new()
        .set_connection_timeout(None)
        .set_response_timeout(None);
    Ok(bounded(
        timeout,
        client.get_multiplexed_async_connection_with_config(&unbounded),
    )
    .await?)
}

async fn bounded<T>(
    timeout: Duration,
    call: impl Future<Output = Result<T, RedisError>>,
) -> Result<T, Raw> {
    match tokio::time::timeout(timeout, call).await {
        Err(_) => Err(Raw::Elapsed),
        Ok(result) => result.map_err(Raw::Redis),
    }
}

/// Classifies the failure of a command that was sent to `node`.
fn classify(node: &str, raw: Raw) -> ClientError {
    let e = match raw {
        Raw::Elapsed => return ClientError::new(node, FailureKind::TimedOut, "no answer in time"),
        Raw::Redis(e) => e,
    };
    let kind = match e.code() {
        Some(code) => server_failure(code),
        None if e.is_io_error() || e.is_connection_dropped() => FailureKind::ConnectionLost,
        None => FailureKind::BadResponse,
    };
    ClientError::new(node, kind, e.to_string())
}

/// Server error codes that mean the command was refused before it ran: a write to a replica
/// (READONLY), a replica without its primary (MASTERDOWN), a server loading its data (LOADING),
/// a server busy with a script (BUSY), too few replicas for min-replicas-to-write (NOREPLICAS),
/// an aborted transaction (EXECABORT), a bad command (ERR, WRONGTYPE). Others may have run.
fn server_failure(code: &str) -> FailureKind {
    match code {
        "READONLY" | "MASTERDOWN" | "LOADING" | "BUSY" | "NOREPLICAS" | "EXECABORT" | "ERR"
        | "WRONGTYPE" | "NOSCRIPT" | "NOPERM" => FailureKind::Rejected,
        _ => FailureKind::ServerError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_refused_by_a_replica_is_definite_and_unknown_server_errors_are_not() {
        assert_eq!(server_failure("READONLY"), FailureKind::Rejected);
        assert_eq!(server_failure("LOADING"), FailureKind::Rejected);
        assert_eq!(server_failure("SOMETHINGNEW"), FailureKind::ServerError);
    }

    #[test]
    fn a_command_that_got_no_answer_in_time_is_indefinite() {
        let e = classify("r1", Raw::Elapsed);
        assert_eq!(e.kind, FailureKind::TimedOut);
        assert!(!e.is_definite());
    }
}
