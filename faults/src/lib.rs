//! Faults as data, and the mechanisms that apply them to real processes.
//!
//! The nouns: a [`Fault`] is a value (pause, resume, kill, restart, partition, heal, packet loss,
//! clock bump / strobe / reset) aimed at a [`Target`] (one, minority, majority, all, primaries,
//! named nodes); a partition's [`Shape`] resolves to a [`Grudge`] (each node -> the nodes it
//! cannot hear). Each node has a [`NodeState`] (running, paused, killed) with checked
//! [`Transition`]s. The [`Injector`] resolves targets and shapes from a seed, checks states,
//! calls a [`Mechanism`] (the cluster backend: signals, iptables, libfaketime) and returns a
//! [`FaultRecord`] with the [`Outcome`]: installed, skipped (reason) or indeterminate. Failures
//! of rift itself are [`FaultError`]s, never records.
//!
//! Data flows: nemesis (policy, in the runner) -> `Fault` -> `Injector` -> `Mechanism` ->
//! `FaultRecord` -> history. The concrete mechanisms live here for any backend to use:
//! [`signals`] (process groups), [`iptables`] (rules in network namespaces, via [`netns`]),
//! [`clock`] (libfaketime control files), [`process`] (pids that survive recycling).
#![warn(missing_docs)]

pub mod clock;
mod command;
mod error;
mod fault;
mod grudge;
mod injector;
pub mod iptables;
mod mechanism;
pub mod netns;
mod network;
mod node;
mod outcome;
pub mod process;
pub mod signals;
mod target;

pub use command::{describe as describe_command, run as run_command};
pub use error::FaultError;
pub use fault::{Fault, FaultKind};
pub use grudge::{Grudge, Shape};
pub use injector::Injector;
pub use mechanism::Mechanism;
pub use network::Network;
pub use node::{NodeId, NodeState, Transition};
pub use outcome::{Effect, FaultRecord, Outcome};
pub use target::Target;
