//! Free ports on 127.0.0.1 for the etcd and Redis tests' loopback clusters.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicU16, Ordering};

/// A free port on 127.0.0.1 below Linux's ephemeral range (32768-60999), handed out once per
/// test process, and below the blocks rift's loopback clusters take (from 20000): those start
/// beside these tests and would find a port handed out here still free until its node binds it. A port the kernel picked from the ephemeral range and released can be taken
/// again at once as the source port of any outgoing connection (the nodes connect to each other
/// while the next one is still starting), and then that node cannot bind it.
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let offset = (std::process::id() % 1_000) as u16 * 7;
    for _ in 0..2_000 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 13_000 + (offset + n) % 7_000;
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
    panic!("no free port below the ephemeral range");
}
