//! rift's runner: clusters, clients, generators, recording, the run store.
