//! The machine, shared by the cluster tests of this binary: tests that start clusters run beside
//! each other, but a test that looks at everything of rift's on the machine (every `rift-`
//! namespace and temp dir, every run this process owns) runs alone, so that it sees only its own.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

static MACHINE: RwLock<()> = RwLock::new(());

/// Held by a test that starts clusters, for as long as they may exist.
pub fn share() -> RwLockReadGuard<'static, ()> {
    MACHINE.read().unwrap_or_else(|e| e.into_inner())
}

/// Held by a test that looks at all of rift's traces on the machine: no other cluster test runs
/// meanwhile.
pub fn alone() -> RwLockWriteGuard<'static, ()> {
    MACHINE.write().unwrap_or_else(|e| e.into_inner())
}
