//! The mechanism behind faults, as a trait: how a fault is done to a node (signals, iptables,
//! libfaketime), kept apart from the policy that decides which fault and when.

use crate::{FaultError, FaultKind, Network, NodeId, Outcome, Transition};

/// What a cluster backend must do so that faults can be applied to it. The
/// [`Injector`](crate::Injector) resolves targets, checks each node's state machine and records
/// outcomes; a mechanism only carries out one step on one node (or installs a whole network).
///
/// Each method returns the outcome of that step: `Installed` when done, `Skipped` when the
/// backend found a precondition false (a process already gone), `Indeterminate` when it cannot
/// tell (a restarted node that did not become ready in time). `Err` is for failures of rift itself.
pub trait Mechanism {
    /// The cluster's nodes.
    fn nodes(&self) -> Vec<NodeId>;

    /// The nodes the system under test reports as primaries now, or `None` if it cannot tell.
    fn primaries(&self) -> Option<Vec<NodeId>> {
        None
    }

    /// Why this backend cannot apply faults of `kind` at all, or `None` if it can.
    fn unsupported(&self, kind: FaultKind) -> Option<String>;

    /// Why faults of `kind` cannot reach `node` (a Go program's clock), or `None` if they can.
    fn unsupported_on(&self, _node: NodeId, _kind: FaultKind) -> Option<String> {
        None
    }

    /// Pauses, resumes, kills or restarts `node`. The injector has already checked that the
    /// node's state allows the transition.
    fn transition(&mut self, node: NodeId, transition: Transition) -> Result<Outcome, FaultError>;

    /// Installs `network` as the whole set of network faults in force (replacing the previous).
    fn network(&mut self, network: &Network) -> Result<Outcome, FaultError>;

    /// Sets `node`'s wall-clock offset from real time, in milliseconds.
    fn clock(&mut self, node: NodeId, offset_ms: i64) -> Result<Outcome, FaultError>;
}

impl<M: Mechanism + ?Sized> Mechanism for &mut M {
    fn nodes(&self) -> Vec<NodeId> {
        (**self).nodes()
    }
    fn primaries(&self) -> Option<Vec<NodeId>> {
        (**self).primaries()
    }
    fn unsupported(&self, kind: FaultKind) -> Option<String> {
        (**self).unsupported(kind)
    }
    fn unsupported_on(&self, node: NodeId, kind: FaultKind) -> Option<String> {
        (**self).unsupported_on(node, kind)
    }
    fn transition(&mut self, node: NodeId, transition: Transition) -> Result<Outcome, FaultError> {
        (**self).transition(node, transition)
    }
    fn network(&mut self, network: &Network) -> Result<Outcome, FaultError> {
        (**self).network(network)
    }
    fn clock(&mut self, node: NodeId, offset_ms: i64) -> Result<Outcome, FaultError> {
        (**self).clock(node, offset_ms)
    }
}
