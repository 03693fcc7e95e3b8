//! Integration tests: real `booking-node` processes on 127.0.0.1, three per cluster.
//!
//! Module map:
//! - [`support`]: starting clusters of the built binary, bounded waits;
//! - [`scenarios`]: checks shared by the strategies (every node serves every operation, writes
//!   survive restarts, the race for the last room);
//! - [`bad_input`]: malformed requests get errors and the node keeps serving;
//! - [`sync_strategy`], [`async_strategy`], [`gossip_strategy`]: for each strategy, bookings and
//!   reads from any node, SIGKILL and restart keeping what the strategy promises, and the race
//!   for the last room (never won twice where bookings are ordered; visible where they are not);
//! - [`raft_strategy`]: the same for raft, and a leader's death elects another;
//! - [`log_strategy`]: the same for the log strategy over a three-server NATS JetStream cluster,
//!   with a NATS server's death.

mod async_strategy;
mod bad_input;
mod gossip_strategy;
mod log_strategy;
mod raft_strategy;
mod scenarios;
mod support;
mod sync_strategy;
