//! The cluster as a [`Mechanism`]: signals to process trees (a node's group and every descendant), restarts on the same data
//! directory, iptables rules in node namespaces, libfaketime control files.

use super::node::wait_ready;
use super::{Cluster, Placement};
use crate::RunError;
use faults::{FaultError, FaultKind, Mechanism, Network, NodeId, Outcome, Transition};
use nix::sys::signal::Signal;
use std::time::{Duration, Instant};

impl Mechanism for Cluster {
    fn nodes(&self) -> Vec<NodeId> {
        (0..self.nodes.len()).map(NodeId).collect()
    }

    fn primaries(&self) -> Option<Vec<NodeId>> {
        self.adapter.primaries(&self.specs(), self)
    }

    fn unsupported(&self, kind: FaultKind) -> Option<String> {
        self.omissions
            .iter()
            .find(|o| o.kind == kind)
            .map(|o| o.reason.clone())
    }

    fn unsupported_on(&self, node: NodeId, kind: FaultKind) -> Option<String> {
        match kind {
            FaultKind::Clock => self.nodes.get(node.0).and_then(|n| n.clock_blocker.clone()),
            _ => None,
        }
    }

    fn transition(&mut self, node: NodeId, transition: Transition) -> Result<Outcome, FaultError> {
        let count = self.nodes.len();
        let n = self
            .nodes
            .get_mut(node.0)
            .ok_or(FaultError::NoSuchNode { node, count })?;
        let gone = || Outcome::skipped("its process has exited");
        match transition {
            Transition::Pause | Transition::Resume => {
                let Some(p) = n.main.as_ref() else {
                    return Ok(gone());
                };
                let (signal, want_stopped) = match transition {
                    Transition::Pause => (Signal::SIGSTOP, true),
                    _ => (Signal::SIGCONT, false),
                };
                if !faults::signals::signal_tree(node, p.identity.pid, signal)? {
                    return Ok(gone());
                }
                // Bounded check that the kernel did what was asked.
                let deadline = Instant::now() + Duration::from_millis(500);
                while p.identity.is_stopped() != want_stopped {
                    if !p.identity.is_alive() {
                        return Ok(Outcome::Indeterminate {
                            reason: "its process exited".into(),
                        });
                    }
                    if Instant::now() > deadline {
                        return Ok(Outcome::Indeterminate {
                            reason: format!(
                                "{} was sent but the process state did not follow within 500 ms",
                                signal.as_str()
                            ),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(Outcome::Installed)
            }
            Transition::Kill => {
                let Some(mut p) = n.main.take() else {
                    return Ok(gone());
                };
                if !faults::signals::signal_tree(node, p.identity.pid, Signal::SIGKILL)? {
                    p.reap(Duration::from_millis(100));
                    return Ok(gone());
                }
                if p.reap(Duration::from_secs(2)) {
                    Ok(Outcome::Installed)
                } else {
                    Ok(Outcome::Indeterminate {
                        reason: "SIGKILL was sent but the process had not exited after 2 s".into(),
                    })
                }
            }
            Transition::Restart => {
                n.spec.restart = true;
                self.spawn_main(node).map_err(FaultError::from)?;
                self.state.save().map_err(FaultError::from)?;
                let n = &self.nodes[node.0];
                let identity = n.main.as_ref().expect("just started").identity;
                match wait_ready(
                    &*self.adapter,
                    &*self,
                    &n.spec,
                    &identity,
                    &n.log,
                    self.ready_timeout(),
                ) {
                    Ok(()) => Ok(Outcome::Installed),
                    Err(e @ (RunError::NotReady { .. } | RunError::Exited { .. })) => {
                        Ok(Outcome::Indeterminate {
                            reason: e.to_string(),
                        })
                    }
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    fn network(&mut self, network: &Network) -> Result<Outcome, FaultError> {
        let Placement::Local { names, subnet } = &self.placement else {
            let reason = self.unsupported(FaultKind::Partition).unwrap_or_default();
            return Ok(Outcome::skipped(reason));
        };
        let scripts: Vec<(String, String)> = (0..self.nodes.len())
            .map(|i| {
                let id = NodeId(i);
                (
                    names.node_namespace(id),
                    self.rules.script(id, network, |n| subnet.node(n)),
                )
            })
            .collect();
        faults::iptables::restore_all(&scripts)?;
        Ok(Outcome::Installed)
    }

    fn clock(&mut self, node: NodeId, offset_ms: i64) -> Result<Outcome, FaultError> {
        let count = self.nodes.len();
        let n = self
            .nodes
            .get(node.0)
            .ok_or(FaultError::NoSuchNode { node, count })?;
        match (&n.clock, &n.clock_blocker) {
            (Some(c), _) => {
                c.set_offset_ms(offset_ms)?;
                Ok(Outcome::Installed)
            }
            (None, Some(why)) => Ok(Outcome::skipped(why.clone())),
            (None, None) => Ok(Outcome::skipped(
                "clock faults are off in this cluster's configuration",
            )),
        }
    }
}
