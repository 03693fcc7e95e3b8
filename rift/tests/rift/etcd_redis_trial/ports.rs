//! Free ports on 127.0.0.1 for the etcd and Redis tests' loopback clusters.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicU16, Ordering};

/// A free port on 127.0.0.1 below Linux's ephemeral range (32768-60999), handed out once per
/// test process. A port the kernel picked from the ephemeral range and released can be taken
/// again at once as the source port of any outgoing connection (the nodes connect to each other
/// while the next one is still starting), and then that node cannot bind it.
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let offset = (std::process::id() % 1_000) as u16 * 12;
    for _ in 0..2_000 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 20_000 + (offset + n) % 12_000;
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
    panic!("no free port below the ephemeral range");
}
