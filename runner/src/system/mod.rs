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
//! A system can also be described with no Rust at all: a TOML file for the node side and a
//! driver program in any language, speaking JSON lines, for the client side ([`described`]; a
//! system name ending in `.toml` is such a file's path, and needs no registration).
//!
//! Data flows: config (`[system] name` + options) -> [`Registry::configure`] ->
//! [`SystemUnderTest`] -> adapter -> cluster (real processes) -> driver -> clients -> replies ->
//! history.
//!
//! # A worked example
//!
//! A replicated register `kvd`, started as `kvd --listen IP:PORT --join A,B,C --dir D`, which
//! answers `PING` with `PONG` and `GET k` / `SET k v` with a line each:
//!
//! ```no_run
//! use runner::system::{
//!     async_trait, Adapter, Client, ClientError, Completion, Driver, DriverContext,
//!     FailureKind, NodeCommand, NodeSpec, Registry, Reply, Shell, System,
//! };
//! use runner::workload::{Operation, RegisterOp, WorkloadKind};
//! use runner::RunError;
//! use faults::NodeId;
//! use std::net::SocketAddr;
//! use std::sync::Arc;
//! use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
//! use tokio::net::TcpStream;
//!
//! /// kvd's options: the fields of a config's `[system]` table besides `name`.
//! #[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
//! #[serde(deny_unknown_fields, default)]
//! struct KvdOptions {
//!     /// Answer reads from the node's own copy.
//!     local_reads: bool,
//! }
//!
//! struct Kvd;
//!
//! impl System for Kvd {
//!     type Options = KvdOptions;
//!     fn name(&self) -> &str {
//!         "kvd"
//!     }
//!     fn workloads(&self, _: &KvdOptions) -> Vec<WorkloadKind> {
//!         vec![WorkloadKind::Register]
//!     }
//!     fn adapter(&self, o: &KvdOptions) -> Result<Arc<dyn Adapter>, RunError> {
//!         Ok(Arc::new(KvdNodes { local_reads: o.local_reads }))
//!     }
//!     fn driver(&self, _: &KvdOptions, c: &DriverContext) -> Result<Arc<dyn Driver>, RunError> {
//!         Ok(Arc::new(KvdDriver { addrs: c.nodes.iter().map(NodeSpec::addr).collect() }))
//!     }
//! }
//!
//! /// The node side: node i's command line, and when it is ready.
//! struct KvdNodes {
//!     local_reads: bool,
//! }
//!
//! impl Adapter for KvdNodes {
//!     fn name(&self) -> String {
//!         "kvd".into()
//!     }
//!     fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
//!         let peers: Vec<String> = node.peers.iter().map(|p| p.to_string()).collect();
//!         let mut args = vec![
//!             "--listen".to_string(), node.addr().to_string(),
//!             "--join".into(), peers.join(","),
//!             "--dir".into(), node.data_dir.display().to_string(),
//!         ];
//!         if self.local_reads {
//!             args.push("--local-reads".into());
//!         }
//!         Ok(NodeCommand::new("kvd", args))
//!     }
//!     fn probe(&self, node: &NodeSpec, _shell: &dyn Shell) -> Result<(), String> {
//!         let t = std::time::Duration::from_millis(200);
//!         std::net::TcpStream::connect_timeout(&node.addr(), t)
//!             .map(|_| ())
//!             .map_err(|e| e.to_string())
//!     }
//! }
//!
//! /// The client side: one connection per client process.
//! struct KvdDriver {
//!     addrs: Vec<SocketAddr>,
//! }
//!
//! #[async_trait]
//! impl Driver for KvdDriver {
//!     async fn open(&self, node: NodeId) -> Result<Box<dyn Client>, ClientError> {
//!         let refused = |e: std::io::Error| {
//!             ClientError::new(&node.to_string(), FailureKind::Unreachable, e.to_string())
//!         };
//!         let stream = TcpStream::connect(self.addrs[node.0]).await.map_err(refused)?;
//!         Ok(Box::new(KvdClient { stream: BufReader::new(stream), node }))
//!     }
//! }
//!
//! struct KvdClient {
//!     stream: BufReader<TcpStream>,
//!     node: NodeId,
//! }
//!
//! #[async_trait]
//! impl Client for KvdClient {
//!     async fn invoke(&mut self, op: &Operation, deadline: tokio::time::Instant) -> Reply {
//!         let request = match op {
//!             Operation::Register(RegisterOp::Read { key }) => format!("GET {key}\n"),
//!             Operation::Register(RegisterOp::Write { key, value }) => format!("SET {key} {value}\n"),
//!             _ => return Completion::fail("kvd has no such operation").into(),
//!         };
//!         let lost = |e: std::io::Error| {
//!             // Sent, perhaps applied: indefinite, recorded as info.
//!             Reply::from(ClientError::new(&self.node.to_string(), FailureKind::ConnectionLost, e.to_string()))
//!         };
//!         let call = async {
//!             self.stream.get_mut().write_all(request.as_bytes()).await?;
//!             let mut line = String::new();
//!             self.stream.read_line(&mut line).await?;
//!             Ok::<_, std::io::Error>(line)
//!         };
//!         match tokio::time::timeout_at(deadline, call).await {
//!             Err(_) => Completion::info("timeout").into(),
//!             Ok(Err(e)) => lost(e),
//!             Ok(Ok(line)) => match (op, line.trim()) {
//!                 (Operation::Register(RegisterOp::Read { .. }), "nil") => Completion::Ok(serde_json::Value::Null).into(),
//!                 (Operation::Register(RegisterOp::Read { .. }), v) => {
//!                     Completion::Ok(runner::system::values::value(v)).into()
//!                 }
//!                 (_, "OK") => Completion::Ok(op.value()).into(),
//!                 (_, other) => Completion::info(format!("kvd answered {other:?}")).into(),
//!             },
//!         }
//!     }
//! }
//!
//! // A binary of one's own gives rift's whole command line over the built-in systems and kvd
//! // with `rift::main(rift::builtin().with(Kvd))` (the `rift` crate's library).
//! fn main() {
//!     let registry = Registry::new().with(Kvd);
//!     assert_eq!(registry.names(), ["kvd"]);
//! }
//! ```

mod adapter;
mod client;
mod client_error;
mod command;
pub mod described;
mod locate;
mod registry;
mod shell;
mod template;
pub mod values;

pub use adapter::{Adapter, Companion, NodeSpec, PORTS_PER_NODE};
pub use client::{async_trait, Client, Completion, Driver, DriverContext, DriverFailure, Reply};
pub use client_error::{ClientError, FailureKind};
pub use command::{NodeCommand, NodeFile};
pub use locate::{locate, on_path};
pub use registry::{Registry, System, SystemUnderTest, Variants};
pub use shell::{CommandOutput, Shell};
pub use template::{CommandAdapter, Readiness};
