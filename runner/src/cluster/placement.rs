//! Where a cluster's nodes go — each in a network namespace of the run's own, all on 127.0.0.1,
//! or each on an SSH host — and the faults a placement cannot apply.

use super::at_once::at_once;
use super::host::{Host, SshHosts};
use super::{network, Backend, Cluster, Names, RunId, SshState, Subnet};
use crate::system::PORTS_PER_NODE;
use crate::RunError;
use faults::{FaultKind, NodeId};
use std::net::{Ipv4Addr, TcpListener};

/// Where the nodes of a running cluster are.
#[derive(Debug, Clone)]
pub enum Placement {
    /// Each node in its own namespace on the run's subnet.
    Local {
        /// The names of the run's namespaces and links.
        names: Names,
        /// The run's subnet.
        subnet: Subnet,
    },
    /// Every node on 127.0.0.1.
    Loopback,
    /// Each node on a host of its own, reached over SSH.
    Ssh {
        /// The hosts, connected.
        hosts: SshHosts,
    },
}

/// A kind of fault this cluster cannot apply, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omission {
    /// The kind of fault.
    pub kind: FaultKind,
    /// Why, in words.
    pub reason: String,
}

impl Cluster {
    /// Places the nodes as the configuration's backend says, recording in the run's state what
    /// it creates before it creates it.
    pub(super) fn place(&mut self) -> Result<(), RunError> {
        if self.config.backend == Backend::Ssh {
            return self.place_on_hosts();
        }
        let why_not_local = network::local_unavailable();
        let local = match (self.config.backend, why_not_local) {
            (Backend::Local, Some(why)) => {
                return Err(RunError::Cluster(format!(
                    "the local backend cannot run here: {why}"
                )))
            }
            (Backend::Local, None) | (Backend::Auto, None) => true,
            (Backend::Auto, Some(why)) => {
                self.omit_network(&format!("the loopback backend was chosen because {why}"));
                false
            }
            (Backend::Loopback, _) => {
                self.omit_network("the loopback backend was asked for");
                false
            }
            (Backend::Ssh, _) => unreachable!("placed on hosts above"),
        };
        if !local {
            return Ok(());
        }
        let names = Names::new(&self.run_id);
        let subnet = network::choose_subnet(&self.run_id, self.config.subnet, self.config.nodes)?;
        self.state.namespaces.push(names.bridge_namespace());
        self.state
            .namespaces
            .extend((0..self.config.nodes).map(|i| names.node_namespace(NodeId(i))));
        self.state.links.push(names.host_link());
        self.save()?;
        network::create_bridge(&names, &subnet)?;
        network::create_nodes(&names, &subnet, &self.rules, self.config.nodes)?;
        self.placement = Placement::Local { names, subnet };
        Ok(())
    }

    /// Connects to the SSH backend's hosts (recording them before anything is created there),
    /// and makes the run's directory and rift's chain on each.
    fn place_on_hosts(&mut self) -> Result<(), RunError> {
        let ssh = self.config.ssh.clone().ok_or_else(|| {
            RunError::Cluster("the ssh backend needs an [ssh] table naming the hosts".into())
        })?;
        let n = self.config.nodes;
        let run_dir = ssh.dir.join(format!("rift-{}", self.run_id));
        let hosts = SshHosts::connect(&ssh, n, &self.state.temp_dir.join("ssh"), &run_dir)?;
        self.state.ssh = Some(SshState {
            hosts: ssh.hosts[..n].to_vec(),
            config: ssh,
            run_dir: run_dir.clone(),
            processes: Vec::new(),
        });
        self.save()?;
        let (setup, rules) = (self.rules.setup_script(), &self.rules);
        let placement = Placement::Ssh { hosts };
        let Placement::Ssh { hosts } = &placement else {
            unreachable!()
        };
        // Kept even on error below, so that teardown closes the connections.
        let prepared = at_once(hosts.hosts(), |h| -> Result<(), RunError> {
            h.create_dir(&run_dir, None)?;
            match h.firewall(rules, &setup)? {
                None => Ok(()),
                Some(differs) => Err(RunError::Host {
                    host: h.host_name().to_string(),
                    message: format!("rift's iptables chain is not as made: {differs}"),
                }),
            }
        })
        .into_iter()
        .collect();
        self.placement = placement;
        prepared
    }

    fn omit_network(&mut self, why: &str) {
        let reason = format!(
            "{why}; on 127.0.0.1 every connection's source is 127.0.0.1, so nodes cannot be told \
             apart by iptables"
        );
        for kind in [FaultKind::Partition, FaultKind::PacketLoss] {
            self.omissions.push(Omission {
                kind,
                reason: reason.clone(),
            });
        }
    }
}

/// The first of `n` blocks of ports on 127.0.0.1, chosen by the run id, all free now (bounded:
/// 64 candidates). They lie below Linux's ephemeral range (32768-60999): a port from that range
/// can be taken at any moment as the source port of some outgoing connection, nodes' own
/// connections to each other included, before its node binds it.
pub(super) fn loopback_ports(id: &RunId, n: usize) -> Result<u16, RunError> {
    let span = n as u32 * PORTS_PER_NODE as u32;
    for attempt in 0..64u32 {
        let base = 20_000 + (id.number().wrapping_add(attempt * 7919) % (12_700 - span)) as u16;
        let free =
            (0..span as u16).all(|k| TcpListener::bind((Ipv4Addr::LOCALHOST, base + k)).is_ok());
        if free {
            return Ok(base);
        }
    }
    Err(RunError::Cluster(format!(
        "no {span} free ports on 127.0.0.1 after 64 tries"
    )))
}
