//! Starting a cluster's nodes: their specs and hosts, their companions and setup commands, and
//! their main processes in stages, each stage ready before the next starts.

use super::at_once::at_once;
use super::host::{Host, LocalHost, ProcStatus};
use super::node::{wait_companion, wait_ready, Node};
use super::placement::loopback_ports;
use super::{Cluster, Omission, Placement};
use crate::system::{NodeSpec, Shell, PORTS_PER_NODE};
use crate::RunError;
use faults::clock::{clock_blocker, ClockControl};
use faults::process::ProcessIdentity;
use faults::{FaultKind, NodeId};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

impl Cluster {
    /// The nodes' specs, hosts, directories and clocks; nothing is started yet.
    pub(super) fn prepare_nodes(&mut self) -> Result<(), RunError> {
        let n = self.config.nodes;
        let (ips, ports): (Vec<IpAddr>, Vec<u16>) = match &self.placement {
            Placement::Local { subnet, .. } => (
                (0..n).map(|i| IpAddr::V4(subnet.node(NodeId(i)))).collect(),
                vec![self.adapter.port(); n],
            ),
            Placement::Loopback => {
                let base = loopback_ports(&self.run_id, n)?;
                (
                    vec![IpAddr::V4(Ipv4Addr::LOCALHOST); n],
                    (0..n).map(|i| base + i as u16 * PORTS_PER_NODE).collect(),
                )
            }
            Placement::Ssh { hosts } => (
                hosts
                    .hosts()
                    .iter()
                    .map(|h| IpAddr::V4(h.address()))
                    .collect(),
                vec![self.adapter.port(); n],
            ),
        };
        let hosts: Vec<Arc<dyn Host>> = match &self.placement {
            Placement::Local { names, .. } => (0..n)
                .map(|i| {
                    let ns = names.node_namespace(NodeId(i));
                    Arc::new(LocalHost::new(Some(ns))) as Arc<dyn Host>
                })
                .collect(),
            Placement::Loopback => vec![Arc::new(LocalHost::new(None)) as Arc<dyn Host>; n],
            Placement::Ssh { hosts } => hosts
                .hosts()
                .iter()
                .map(|h| h.clone() as Arc<dyn Host>)
                .collect(),
        };
        let peers: Vec<SocketAddr> = ips
            .iter()
            .zip(&ports)
            .map(|(ip, p)| SocketAddr::new(*ip, *p))
            .collect();
        // Where data, logs and clock files go, on the node's host.
        let (work, clocks) = match &self.state.ssh {
            Some(ssh) => (ssh.run_dir.clone(), ssh.run_dir.clone()),
            None => (
                self.config
                    .work_dir
                    .clone()
                    .unwrap_or_else(|| self.state.temp_dir.clone()),
                self.state.temp_dir.clone(),
            ),
        };
        if !self.config.clock {
            self.omissions.push(Omission {
                kind: FaultKind::Clock,
                reason: "clock faults are off in this cluster's configuration".into(),
            });
        }
        for (i, host) in hosts.into_iter().enumerate() {
            let id = NodeId(i);
            let spec = NodeSpec {
                id,
                ip: ips[i],
                port: ports[i],
                peers: peers.clone(),
                data_dir: work.join(format!("n{i}")),
                restart: false,
            };
            let command = self
                .adapter
                .command(&spec)
                .map_err(|message| RunError::Adapter { node: id, message })?;
            host.create_dir(&spec.data_dir, command.user.as_deref())?;
            // libfaketime's reach is judged on this machine's copy of the program.
            let program = command.program;
            let resolved = crate::system::on_path(&program.to_string_lossy()).unwrap_or(program);
            let clock_blocker = clock_blocker(&resolved);
            let clock = if self.config.clock && clock_blocker.is_none() {
                let control = ClockControl::at(clocks.join(format!("n{i}.faketime")));
                host.set_clock(&control, 0)?;
                Some(control)
            } else {
                None
            };
            let log = work.join(format!("n{i}.log"));
            self.nodes.push(Node {
                spec,
                host,
                log,
                clock,
                clock_blocker,
                main: None,
                companions: Vec::new(),
            });
        }
        Ok(())
    }

    /// Starts every node's companions, then its main process, in the order the adapter asks
    /// for, waiting for each stage to be ready.
    pub(super) fn start_all(&mut self) -> Result<(), RunError> {
        let timeout = self.ready_timeout();
        for i in 0..self.nodes.len() {
            for companion in self.adapter.companions(&self.nodes[i].spec) {
                let node = &self.nodes[i];
                let proc = node.host.spawn(
                    node.spec.id,
                    &companion.command,
                    &[],
                    &node.log,
                    &node.spec.data_dir,
                )?;
                self.record(NodeId(i), proc.identity);
                self.nodes[i].companions.push(proc);
            }
        }
        self.save()?;
        for node in &self.nodes {
            for companion in self.adapter.companions(&node.spec) {
                wait_companion(&companion, node, timeout)?;
            }
        }
        // In stages: each starts the nodes whose predecessors are all ready.
        let n = self.nodes.len();
        let mut ready = vec![false; n];
        for _ in 0..n {
            let stage: Vec<NodeId> = (0..n)
                .filter(|&i| {
                    !ready[i]
                        && self
                            .adapter
                            .starts_after(&self.nodes[i].spec)
                            .iter()
                            .all(|d| ready.get(d.0) == Some(&true))
                })
                .map(NodeId)
                .collect();
            if stage.is_empty() {
                break;
            }
            self.set_up(&stage)?;
            self.resolve_programs(&stage)?;
            for &id in &stage {
                self.spawn_main(id)?;
            }
            self.save()?;
            self.wait_started(&stage, timeout)?;
            stage.iter().for_each(|id| ready[id.0] = true);
        }
        match ready.iter().position(|r| !r) {
            None => Ok(()),
            Some(i) => Err(RunError::Adapter {
                node: NodeId(i),
                message: format!(
                    "it starts after {:?}, which never start: the start order has a cycle",
                    self.adapter.starts_after(&self.nodes[i].spec)
                ),
            }),
        }
    }

    /// Finds (or uploads) the programs of the nodes `ids` on their hosts, all at once, before
    /// they are started one after the other.
    fn resolve_programs(&self, ids: &[NodeId]) -> Result<(), RunError> {
        at_once(ids, |&id| {
            let n = &self.nodes[id.0];
            let command = self
                .adapter
                .command(&n.spec)
                .map_err(|message| RunError::Adapter { node: id, message })?;
            n.host.resolve(&command.program).map(|_| ())
        })
        .into_iter()
        .collect()
    }

    /// Runs the setup commands of the nodes `ids` (on all of them at once, each node's in
    /// order), each bounded by the ready timeout.
    fn set_up(&self, ids: &[NodeId]) -> Result<(), RunError> {
        let timeout = self.ready_timeout();
        at_once(ids, |&id| self.set_up_node(id, timeout))
            .into_iter()
            .collect()
    }

    fn set_up_node(&self, id: NodeId, timeout: Duration) -> Result<(), RunError> {
        let spec = &self.nodes[id.0].spec;
        let commands = self
            .adapter
            .setup(spec)
            .map_err(|message| RunError::Adapter { node: id, message })?;
        for command in commands {
            let failed = |message| RunError::Setup {
                node: id,
                command: command.line(),
                message,
            };
            let out = self.run(id, &command, timeout).map_err(failed)?;
            if !out.success {
                return Err(failed(format!(
                    "{}; stderr: {}; stdout: {}",
                    out.status,
                    out.stderr.trim(),
                    out.stdout.trim()
                )));
            }
        }
        Ok(())
    }

    /// Waits until the just-started nodes `ids` are ready (all at once), each bounded by
    /// `timeout`.
    fn wait_started(&self, ids: &[NodeId], timeout: Duration) -> Result<(), RunError> {
        let adapter = &*self.adapter;
        let shell: &dyn Shell = self;
        at_once(ids, |&id| {
            let n = &self.nodes[id.0];
            let identity = n.main.as_ref().expect("just started").identity;
            let alive = || n.host.status(&identity) != ProcStatus::Gone;
            wait_ready(adapter, shell, &n.spec, &alive, &|| n.log_tail(), timeout)
        })
        .into_iter()
        .collect()
    }

    /// Starts node `id`'s main process (not waiting for readiness) and records it.
    pub(super) fn spawn_main(&mut self, id: NodeId) -> Result<(), RunError> {
        let node = &self.nodes[id.0];
        let adapter_error = |message| RunError::Adapter { node: id, message };
        let command = self.adapter.command(&node.spec).map_err(adapter_error)?;
        for file in self.adapter.files(&node.spec).map_err(adapter_error)? {
            let path = node.spec.data_dir.join(&file.path);
            node.host
                .write_file(&path, file.contents.as_bytes(), command.user.as_deref())?;
        }
        let proc = node.host.spawn(
            id,
            &command,
            &node.clock_env(&command.program.to_string_lossy()),
            &node.log,
            &node.spec.data_dir,
        )?;
        self.record(id, proc.identity);
        self.nodes[id.0].main = Some(proc);
        Ok(())
    }

    /// Records in the run's state a process just started for node `id`.
    fn record(&mut self, id: NodeId, process: ProcessIdentity) {
        match &mut self.state.ssh {
            Some(ssh) => ssh.processes.push((id.0, process)),
            None => {
                self.state.processes.retain(|p| p.is_alive());
                self.state.processes.push(process);
            }
        }
    }
}
