//! rift's runner: clusters, clients, generators, recording, the run store.

mod error;

pub mod cluster;
pub mod system;

pub mod campaign;
pub mod generator;
pub mod nemesis;
pub mod record;
pub mod run;
pub mod store;
pub mod workload;

pub use error::RunError;
