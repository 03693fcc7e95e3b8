//! A run: config -> cluster -> generator + nemesis -> history -> checker -> verdict -> store.

mod config;

pub use config::{Backend, ConfigError, RunConfig, SystemConfig};
