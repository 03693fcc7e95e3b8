//! A run: config -> cluster -> generator + nemesis -> history -> checker -> verdict -> store.
//!
//! [`RunConfig`] says what to do (typed, TOML in, stored in run.json); [`RunContext`] holds what
//! the run resolved at runtime (seed, directory, omissions); [`run`] carries it out. The clients
//! ([`workload_loop`]) and the nemesis thread ([`nemesis_loop`]) share the run's monotonic clock
//! through the [`Recorder`](crate::record::Recorder).

mod bench;
mod check;
mod config;
mod execute;
pub mod nemesis_loop;
pub mod page;
mod report;
mod seeds;
mod stats;
pub mod workload_loop;

pub use bench::{bench_record, BenchReport, Trial};
pub use check::{check, Checked};
pub use config::{RunConfig, SystemConfig};
pub use execute::{reproduce_command, run, RunContext, RunOptions, RunOutcome};
pub use report::{ops_in_words, render};
pub use seeds::{derive, fresh, Stream};
pub use stats::stats;
