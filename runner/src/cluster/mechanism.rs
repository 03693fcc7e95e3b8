//! The cluster as a [`Mechanism`], through each node's [`Host`](super::host::Host): signals to
//! process trees (a node's group and every descendant), restarts on the same data directory,
//! iptables rules in rift's chain of each node, libfaketime control files.

use super::at_once::at_once;
use super::host::{ProcStatus, Reach};
use super::node::wait_ready;
use super::{Cluster, Placement};
use crate::RunError;
use faults::{FaultError, FaultKind, Mechanism, Network, NodeId, Outcome, Transition};
use nix::sys::signal::Signal;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How long a paused or resumed process may take to show the state asked for: a signal is acted
/// on when its target next runs, which on a loaded machine (or a process in an uninterruptible
/// wait) is not at once. The check returns as soon as the state follows.
const STATE_FOLLOWS_WITHIN: Duration = Duration::from_secs(2);

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
                let (signal, want) = match transition {
                    Transition::Pause => (Signal::SIGSTOP, ProcStatus::Stopped),
                    _ => (Signal::SIGCONT, ProcStatus::Running),
                };
                if !n.host.signal(node, &p.identity, signal, Reach::Tree)? {
                    return Ok(gone());
                }
                // Bounded check that the kernel did what was asked.
                let deadline = Instant::now() + STATE_FOLLOWS_WITHIN;
                loop {
                    match n.host.status(&p.identity) {
                        s if s == want => return Ok(Outcome::Installed),
                        ProcStatus::Gone => {
                            return Ok(Outcome::Indeterminate {
                                reason: "its process exited".into(),
                            })
                        }
                        _ if Instant::now() > deadline => {
                            return Ok(Outcome::Indeterminate {
                                reason: format!(
                                    "{} was sent but the process state did not follow within {:?}",
                                    signal.as_str(),
                                    STATE_FOLLOWS_WITHIN
                                ),
                            })
                        }
                        _ => std::thread::sleep(Duration::from_millis(1)),
                    }
                }
            }
            Transition::Kill => {
                let Some(mut p) = n.main.take() else {
                    return Ok(gone());
                };
                if !n
                    .host
                    .signal(node, &p.identity, Signal::SIGKILL, Reach::Tree)?
                {
                    n.host.reap(&mut p, Duration::from_millis(100));
                    return Ok(gone());
                }
                if n.host.reap(&mut p, Duration::from_secs(2)) {
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
                self.save().map_err(FaultError::from)?;
                let n = &self.nodes[node.0];
                let identity = n.main.as_ref().expect("just started").identity;
                let alive = || n.host.status(&identity) != ProcStatus::Gone;
                match wait_ready(
                    &*self.adapter,
                    &*self,
                    &n.spec,
                    &alive,
                    &|| n.log_tail(),
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
        if matches!(self.placement, Placement::Loopback) {
            let reason = self.unsupported(FaultKind::Partition).unwrap_or_default();
            return Ok(Outcome::skipped(reason));
        }
        let address = |n: NodeId| match self.nodes[n.0].spec.ip {
            IpAddr::V4(v4) => v4,
            IpAddr::V6(_) => unreachable!("nodes off loopback have IPv4 addresses"),
        };
        let scripts: Vec<String> = (0..self.nodes.len())
            .map(|i| self.rules.script(NodeId(i), network, address))
            .collect();
        // Every node's chain at once, one thread per node.
        let rules = &self.rules;
        let differences = at_once(self.nodes.iter().zip(&scripts), |(n, script)| {
            n.host.firewall(rules, script)
        })
        .into_iter()
        .filter_map(Result::transpose)
        .collect::<Result<Vec<String>, FaultError>>()?;
        if differences.is_empty() {
            Ok(Outcome::Installed)
        } else {
            Ok(Outcome::Indeterminate {
                reason: format!(
                    "iptables-restore succeeded, but iptables -S then showed {}",
                    differences.join("; ")
                ),
            })
        }
    }

    fn clock(&mut self, node: NodeId, offset_ms: i64) -> Result<Outcome, FaultError> {
        let count = self.nodes.len();
        let n = self
            .nodes
            .get(node.0)
            .ok_or(FaultError::NoSuchNode { node, count })?;
        match (&n.clock, &n.clock_blocker) {
            (Some(c), _) => {
                n.host.set_clock(c, offset_ms)?;
                Ok(Outcome::Installed)
            }
            (None, Some(why)) => Ok(Outcome::skipped(why.clone())),
            (None, None) => Ok(Outcome::skipped(
                "clock faults are off in this cluster's configuration",
            )),
        }
    }
}
