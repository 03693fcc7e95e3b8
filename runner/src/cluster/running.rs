//! The running cluster: start, accessors, and teardown.

use super::host::{Host, Reach};
use super::node::Node;
use super::{
    signals, teardown, ClusterConfig, Omission, Placement, RunId, RunState, TeardownReport,
};
use crate::system::{Adapter, NodeSpec};
use crate::RunError;
use faults::clock::ClockControl;
use faults::iptables::RuleSet;
use faults::NodeId;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

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
