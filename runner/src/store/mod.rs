//! The run store: one directory per run, `<store>/<test>/<timestamp>/`, with a `latest` link per
//! test. Every file is documented in runner/STORE.md:
//!
//! - `history.jsonl`: the history, written as the run goes ([`crate::record`]);
//! - `run.json`: the full [`RunConfig`](crate::run::RunConfig) with its seed, rift's version, the
//!   host's facts and the command that reproduces the run ([`RunMeta`]);
//! - `faults.jsonl`: each fault applied, when, where and with what outcome ([`FaultLine`]);
//! - `nodes/<node>.log`: each node's output;
//! - `results.json`: every checker's verdict and explanation ([`Results`]);
//! - `report.html`: the run drawn for a person (written by [`crate::run::page`]).
//!
//! [`load_run`] reads a stored run back, for `rift check RUN_DIR` and `rift replay`.

mod files;
mod load;
mod meta;

pub use files::RunDir;
pub use load::{load_run, read_faults, StoredRun};
pub use meta::{CheckResult, FaultLine, HostFacts, Results, RunMeta, RunStats};
