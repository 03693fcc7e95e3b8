//! The one seam for systems under test.
//!
//! A system plugs into rift by implementing [`System`]: from its own typed options it gives the
//! node side, an [`Adapter`] (how node `i` starts, becomes ready, which node is primary, which
//! logs to keep, how it stops), and the client side, a [`Driver`] that opens a [`Client`] on a
//! node for each client process and invokes one typed [`Operation`](crate::workload::Operation)
//! at a time with a deadline. It names the workloads its clients can run. A [`Registry`] of
//! systems is handed to the run loop; the `rift` binary is a `main` that registers the built-in
//! ones, and a user's own binary registers one more the same way.
//!
//! Data flows: config (`[system] name` + options) -> [`Registry::configure`] ->
//! [`SystemUnderTest`] -> adapter -> cluster (real processes) -> driver -> clients -> replies ->
//! history.

mod adapter;
mod client;
mod client_error;
mod command;
mod locate;
mod registry;
mod shell;
mod template;
pub mod values;

pub use adapter::{Adapter, Companion, NodeSpec, PORTS_PER_NODE};
pub use client::{async_trait, Client, Completion, Driver, DriverContext, Reply};
pub use client_error::{ClientError, FailureKind};
pub use command::{NodeCommand, NodeFile};
pub use locate::{locate, on_path};
pub use registry::{Registry, System, SystemUnderTest, Variants};
pub use shell::{CommandOutput, Shell};
pub use template::{CommandAdapter, Readiness};
