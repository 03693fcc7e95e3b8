//! etcd as a system under test.
//!
//! etcd is a key-value store replicated by Raft, linearizable by default. rift runs three
//! members, each on its own address (in the local backend, its own network namespace, `IP:2379`
//! for clients and `IP:2380` for peers); a restarted member rejoins with
//! `--initial-cluster-state existing`. The client speaks etcd's v3 JSON gateway; reads are
//! linearizable (through the leader) or serializable (from the member's own state, possibly
//! stale), which is the difference rift's etcd campaign shows.
//!
//! etcd is a Go program: it reads the clock through the vDSO, not libc, so libfaketime cannot
//! shift it, and clock faults on etcd are skipped with that reason (the faults crate's
//! `clock_blocker` detects Go binaries).

pub mod adapter;
pub mod client;
pub mod driver;
pub mod gateway;
pub mod node;
pub mod probe;

pub use adapter::EtcdAdapter;
pub use client::{EtcdClient, ReadMode};
pub use driver::EtcdDriver;
pub use node::{ClusterState, EtcdCluster, EtcdMember, RaftTiming};
