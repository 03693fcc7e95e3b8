//! Redis as a system under test.
//!
//! Redis replicates asynchronously: a primary acknowledges a write before any replica has it.
//! rift runs a primary and two replicas (`--replicaof`), with a Sentinel beside each that fails
//! over when a majority of Sentinels deems the primary down. The client writes to the primary
//! the Sentinels name and reads from it or from its own node; it can `WAIT` for replicas after
//! each write. Expected anomalies: writes acknowledged by an old primary lost after a failover,
//! and stale reads from replicas.
//!
//! Redis is linked with jemalloc, which deadlocks under libfaketime; the faults crate's clock
//! mechanism preloads glibc after libfaketime for it, so clock faults reach Redis as any other
//! C program (see `faults::clock`).

pub mod adapter;
pub mod client;
pub mod driver;
pub mod node;
pub mod ready;

pub use adapter::RedisAdapter;
pub use client::{ReadFrom, RedisClient, Served, WaitFor};
pub use driver::RedisDriver;
pub use node::{RedisCluster, RedisNode, SentinelTiming, MASTER_NAME};
pub use ready::{primary_by, probe};
