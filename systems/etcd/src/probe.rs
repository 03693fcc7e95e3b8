//! Blocking, bounded questions to one etcd member over plain HTTP/1.0, for the cluster's
//! readiness probe and its question "which node is the leader" (both asked from plain threads,
//! outside any async runtime).

use serde::Deserialize;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// `Ok` when the member at `addr` reports itself healthy (`GET /health`: it has a leader and no
/// alarm); otherwise what it answered.
pub fn health(addr: SocketAddr, timeout: Duration) -> Result<(), String> {
    #[derive(Deserialize)]
    struct Health {
        health: String,
    }
    let body = request(addr, "GET", "/health", "", timeout)?;
    match serde_json::from_str::<Health>(&body) {
        Ok(h) if h.health == "true" => Ok(()),
        _ => Err(format!("{addr} /health answered {body}")),
    }
}

/// Whether the member at `addr` is the Raft leader (`/v3/maintenance/status`: its own id is the
/// leader's).
pub fn is_leader(addr: SocketAddr, timeout: Duration) -> Result<bool, String> {
    #[derive(Deserialize)]
    struct Header {
        member_id: String,
    }
    #[derive(Deserialize)]
    struct Status {
        header: Header,
        #[serde(default)]
        leader: String,
    }
    let body = request(addr, "POST", "/v3/maintenance/status", "{}", timeout)?;
    let status: Status =
        serde_json::from_str(&body).map_err(|e| format!("{addr} status {body}: {e}"))?;
    Ok(!status.leader.is_empty() && status.leader == status.header.member_id)
}

/// One HTTP/1.0 request; the body of a 200 answer, else an error naming the status.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
    timeout: Duration,
) -> Result<String, String> {
    let io = |e: std::io::Error| format!("{addr}: {e}");
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(io)?;
    s.set_read_timeout(Some(timeout)).map_err(io)?;
    s.set_write_timeout(Some(timeout)).map_err(io)?;
    let head = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).map_err(io)?;
    s.write_all(body.as_bytes()).map_err(io)?;
    let mut answer = String::new();
    s.take(1 << 20).read_to_string(&mut answer).map_err(io)?;
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{addr}: an answer without a body"))?;
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(format!("{addr} {path}: HTTP {status}: {body}"));
    }
    Ok(body.to_string())
}
