//! Clusters: the nodes of a system under test running as real processes, and the mechanisms
//! that fault them.
//!
//! A [`ClusterConfig`] (typed, serialisable) and an [`Adapter`](crate::system::Adapter) give a
//! running [`Cluster`]. In the local backend each node is a process in its own network namespace
//! (`rift-<run>-n<i>`) with its own address on a bridge that lives in a namespace of the run's
//! own (`rift-<run>-br`), reached from the root namespace through one veth ([`names`]). In the
//! loopback backend the nodes share 127.0.0.1 on distinct ports, and only pause, kill and clock
//! faults apply ([`Cluster::omissions`] says what was left out and why). In the SSH backend each
//! node runs on a host of its own, reached over one multiplexed OpenSSH connection. Whatever the
//! backend, the cluster acts on a node only through its [`host::Host`].
//!
//! A `Cluster` is a [`faults::Mechanism`]: wrap it (or `&mut` it) in a [`faults::Injector`] to
//! apply faults. Everything a run creates is recorded in a [`RunState`] persisted before it is
//! created, and torn down ([`teardown`](mod@teardown)) on drop, on error, on SIGINT/SIGTERM ([`signals`]) and by
//! `rift cleanup` after a SIGKILL.

mod at_once;
mod config;
pub mod host;
mod mechanism;
pub mod names;
mod network;
mod node;
mod placement;
mod process;
mod run_id;
mod running;
mod shell;
pub mod signals;
mod startup;
mod state;
pub mod teardown;

pub use config::{Backend, ClusterConfig};
pub use names::{Names, Subnet};
pub use placement::{Omission, Placement};
pub use run_id::RunId;
pub use running::Cluster;
pub use state::{state_dir, RunState, SshState};
pub use teardown::{teardown, TeardownReport};
