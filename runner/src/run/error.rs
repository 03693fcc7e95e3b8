//! What can stop a run: failures of rift itself, never entries in a history.

/// A run that could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The config is invalid.
    #[error(transparent)]
    Config(#[from] super::ConfigError),
    /// The cluster could not be started or faulted.
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    /// A fault mechanism failed.
    #[error("the nemesis could not apply a fault: {0}")]
    Fault(#[from] faults::FaultError),
    /// The history could not be recorded.
    #[error(transparent)]
    Record(#[from] crate::record::RecordError),
    /// The run store could not be written or read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The async runtime could not start.
    #[error("cannot start the client runtime: {0}")]
    Runtime(std::io::Error),
    /// A thread of the run panicked.
    #[error("the {0} thread panicked")]
    Panicked(&'static str),
}
