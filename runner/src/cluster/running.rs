//! The running cluster: start, accessors, and teardown.

use super::host::{Host, LocalHost, ProcStatus, Reach, SshHosts};
use super::node::{wait_companion, wait_ready, Node};
use super::{
    network, signals, teardown, Backend, ClusterConfig, Names, RunId, RunState, SshState, Subnet,
    TeardownReport,
};
use crate::system::{Adapter, NodeSpec, Shell, PORTS_PER_NODE};
use crate::RunError;
use faults::clock::{clock_blocker, ClockControl};
use faults::iptables::RuleSet;
use faults::process::ProcessIdentity;
use faults::{FaultKind, NodeId};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

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

/// A running cluster of real processes. Dropping it tears everything down.
pub struct Cluster {
    pub(super) config: ClusterConfig,
    pub(super) adapter: Arc<dyn Adapter>,
    pub(super) run_id: RunId,
    pub(super) placement: Placement,
    pub(super) rules: RuleSet,
    pub(super) nodes: Vec<Node>,
    pub(super) state: RunState,
    pub(super) omissions: Vec<Omission>,
    pub(super) torn_down: bool,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("run_id", &self.run_id)
            .field("adapter", &self.adapter.name())
            .field("placement", &self.placement)
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

impl Cluster {
    /// Starts a cluster of `adapter`'s nodes as `config` says, and waits until every node is
    /// ready. On error, everything created so far is torn down.
    pub fn start(config: ClusterConfig, adapter: Arc<dyn Adapter>) -> Result<Cluster, RunError> {
        if config.nodes == 0 {
            return Err(RunError::Cluster(
                "a cluster needs at least one node".into(),
            ));
        }
        let run_id = config.run_id.clone().unwrap_or_else(RunId::random);
        let temp_dir = std::env::temp_dir().join(format!("rift-{run_id}"));
        std::fs::create_dir_all(&temp_dir).map_err(RunError::io("create", &temp_dir))?;
        let state = RunState::new(run_id.clone(), temp_dir.clone());
        state.save()?;
        signals::watch(&state);
        let mut cluster = Cluster {
            rules: RuleSet::new(run_id.as_str()),
            placement: Placement::Loopback,
            config,
            adapter,
            run_id,
            nodes: Vec::new(),
            state,
            omissions: Vec::new(),
            torn_down: false,
        };
        // From here on, an error drops `cluster`, which tears down what exists.
        cluster.place()?;
        cluster.prepare_nodes()?;
        cluster.start_all()?;
        Ok(cluster)
    }

    fn place(&mut self) -> Result<(), RunError> {
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
        let prepared = std::thread::scope(|scope| {
            let handles: Vec<_> = hosts
                .hosts()
                .iter()
                .map(|h| {
                    let (setup, run_dir) = (&setup, &run_dir);
                    scope.spawn(move || -> Result<(), RunError> {
                        h.create_dir(run_dir, None)?;
                        match h.firewall(rules, setup)? {
                            None => Ok(()),
                            Some(differs) => Err(RunError::Host {
                                host: h.host_name().to_string(),
                                message: format!("rift's iptables chain is not as made: {differs}"),
                            }),
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().expect("a host setup thread panicked"))
        });
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

    fn prepare_nodes(&mut self) -> Result<(), RunError> {
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

    fn start_all(&mut self) -> Result<(), RunError> {
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
                wait_companion(&companion, &node.spec, timeout)?;
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
        std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .iter()
                .map(|&id| {
                    scope.spawn(move || {
                        let n = &self.nodes[id.0];
                        let command = self
                            .adapter
                            .command(&n.spec)
                            .map_err(|message| RunError::Adapter { node: id, message })?;
                        n.host.resolve(&command.program).map(|_| ())
                    })
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().expect("a program lookup thread panicked"))
        })
    }

    /// Runs the setup commands of the nodes `ids` (on all of them at once, each node's in
    /// order), each bounded by the ready timeout.
    fn set_up(&self, ids: &[NodeId]) -> Result<(), RunError> {
        let timeout = self.ready_timeout();
        std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .iter()
                .map(|&id| scope.spawn(move || self.set_up_node(id, timeout)))
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().expect("a setup thread panicked"))
        })
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
        std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .iter()
                .map(|&id| {
                    let n = &self.nodes[id.0];
                    let identity = n.main.as_ref().expect("just started").identity;
                    let shell: &dyn Shell = self;
                    let alive = move || n.host.status(&identity) != ProcStatus::Gone;
                    scope
                        .spawn(move || wait_ready(adapter, shell, &n.spec, &alive, &n.log, timeout))
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().expect("a readiness thread panicked"))
        })
    }

    /// Waits, bounded by `limit` in all, until every node passes the adapter's readiness probe
    /// (after the final heal: a failover, an election). `Err` names a node still not ready.
    pub fn wait_all_ready(&self, limit: Duration) -> Result<(), String> {
        let deadline = std::time::Instant::now() + limit;
        for n in &self.nodes {
            while let Err(why) = self.adapter.probe(&n.spec, self) {
                if std::time::Instant::now() >= deadline {
                    return Err(format!(
                        "node {} not ready {limit:?} after the heal: {why}",
                        n.spec.id
                    ));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(())
    }

    /// Copies every node's log, and the files its adapter names as logs, from the node's host
    /// into `dir` (as `<node>.log` and `<node>-<file name>`); a file that cannot be copied is
    /// left out.
    pub fn keep_logs(&self, dir: &Path) {
        for n in &self.nodes {
            let id = n.spec.id;
            let _ = n.host.fetch(&n.log, &dir.join(format!("{id}.log")));
            for file in self.adapter.log_files(&n.spec) {
                let path = n.spec.data_dir.join(&file);
                if let Some(name) = path.file_name() {
                    let name = format!("{id}-{}", name.to_string_lossy());
                    let _ = n.host.fetch(&path, &dir.join(name));
                }
            }
        }
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

    pub(super) fn ready_timeout(&self) -> Duration {
        Duration::from_millis(self.config.ready_timeout_ms)
    }

    pub(super) fn save(&self) -> Result<(), RunError> {
        signals::watch(&self.state);
        self.state.save()
    }

    /// The run's id.
    pub fn run_id(&self) -> &RunId {
        &self.run_id
    }

    /// Where the nodes are.
    pub fn placement(&self) -> &Placement {
        &self.placement
    }

    /// Every node's spec, in id order.
    pub fn specs(&self) -> Vec<NodeSpec> {
        self.nodes.iter().map(|n| n.spec.clone()).collect()
    }

    /// Node `id`'s main address, where clients reach it from the root namespace.
    pub fn addr(&self, id: NodeId) -> SocketAddr {
        self.nodes[id.0].spec.addr()
    }

    /// Node `id`'s network namespace, in the local backend.
    pub fn namespace(&self, id: NodeId) -> Option<String> {
        match &self.placement {
            Placement::Local { names, .. } => Some(names.node_namespace(id)),
            _ => None,
        }
    }

    /// Where node `id` runs.
    pub fn host(&self, id: NodeId) -> &dyn Host {
        &*self.nodes[id.0].host
    }

    /// Node `id`'s pid (also its process group id), unless it is killed.
    pub fn pid(&self, id: NodeId) -> Option<i32> {
        self.nodes[id.0].main.as_ref().map(|p| p.identity.pid)
    }

    /// Node `id`'s log file.
    pub fn log(&self, id: NodeId) -> &Path {
        &self.nodes[id.0].log
    }

    /// Node `id`'s clock control file, if it runs under libfaketime.
    pub fn clock_file(&self, id: NodeId) -> Option<&Path> {
        self.nodes[id.0].clock.as_ref().map(ClockControl::path)
    }

    /// The kinds of faults this cluster cannot apply, each with the reason.
    pub fn omissions(&self) -> &[Omission] {
        &self.omissions
    }

    /// What the run has created so far.
    pub fn state(&self) -> &RunState {
        &self.state
    }

    /// Runs `program` with `args` as node `id` would see the world: on its host, in its
    /// namespace, under its clock; gives its standard output. For probes and tests (e.g.
    /// `date +%s%N`).
    pub fn exec(&self, id: NodeId, program: &str, args: &[&str]) -> Result<String, RunError> {
        let node = &self.nodes[id.0];
        let command = crate::system::NodeCommand::new(program, args.iter().copied());
        let failed = |message: String| RunError::Host {
            host: node.host.name(),
            message,
        };
        let out = node
            .host
            .run(
                &command,
                &node.clock_env(program),
                &node.spec.data_dir,
                Duration::from_secs(30),
            )
            .map_err(failed)?;
        if !out.success {
            return Err(failed(format!(
                "`{}` failed ({}): {}",
                command.line(),
                out.status,
                out.stderr.trim()
            )));
        }
        Ok(out.stdout)
    }

    /// Stops every node and removes everything the run created. Called by drop; calling it
    /// first gives the report.
    pub fn teardown(&mut self) -> TeardownReport {
        if self.torn_down {
            return TeardownReport::default();
        }
        self.torn_down = true;
        let stop = self.adapter.stop_signal();
        let grace = Duration::from_millis(if stop == nix::sys::signal::Signal::SIGKILL {
            0
        } else {
            500
        });
        for n in &self.nodes {
            if let Some(p) = &n.main {
                // Resumed first, descendants that left its group included, so it can act on
                // `stop`.
                let id = n.spec.id;
                let cont = nix::sys::signal::Signal::SIGCONT;
                let _ = n.host.signal(id, &p.identity, cont, Reach::Tree);
                let _ = n.host.signal(id, &p.identity, stop, Reach::Group);
            }
        }
        let deadline = std::time::Instant::now() + grace;
        let mut killed = 0;
        for n in &mut self.nodes {
            let id = n.spec.id;
            if let Some(p) = n.main.as_mut() {
                n.host.reap(
                    p,
                    deadline.saturating_duration_since(std::time::Instant::now()),
                );
                n.host.kill(id, p, Duration::from_secs(2));
                killed += 1;
            }
            for c in &mut n.companions {
                n.host.kill(id, c, Duration::from_secs(2));
                killed += 1;
            }
        }
        if let (Placement::Ssh { hosts }, Some(ssh)) = (&self.placement, &self.state.ssh) {
            let left = hosts.clean(&ssh.processes, &self.rules);
            hosts.close();
            if left.is_empty() {
                // Nothing for the state's teardown to reconnect for.
                self.state.ssh = None;
            }
        }
        let mut report = teardown::teardown(&self.state);
        report.processes += killed;
        signals::forget(&self.run_id);
        report
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let report = self.teardown();
        if !report.problems.is_empty() {
            tracing::error!("run {}: teardown left problems: {report}", self.run_id);
        }
    }
}

/// The first of `n` blocks of ports on 127.0.0.1, chosen by the run id, all free now (bounded:
/// 64 candidates). They lie below Linux's ephemeral range (32768-60999): a port from that range
/// can be taken at any moment as the source port of some outgoing connection, nodes' own
/// connections to each other included, before its node binds it.
fn loopback_ports(id: &RunId, n: usize) -> Result<u16, RunError> {
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
