//! `testing`: real `booking-node` clusters on loopback, for tests and benchmarks.
//!
//! [`TestCluster::start`] picks free ports on 127.0.0.1, starts one `booking-node` process per
//! node with its own data directory (in a temporary directory removed on drop), and waits, with
//! a bound, until every node answers `status`. Nodes can be killed with SIGKILL and restarted on
//! the same address and data directory. Dropping the cluster kills every node it started, by pid,
//! also when a test panics; each node also gets SIGKILL if the thread that spawned it exits.

use crate::client::Client;
use crate::config::{ConflictMode, ReadLevel, ReplicationKind};
use crate::error::BookingError;
use std::fs::File;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How many times [`TestCluster::start`] tries when a picked port was taken meanwhile.
pub const START_ATTEMPTS: usize = 3;

/// What the OS says when a port is taken (in a node's log).
const PORT_TAKEN: &str = "Address already in use";

/// How long a node may take to answer `status` after being started.
pub const READY_TIMEOUT: Duration = Duration::from_secs(15);

/// What cluster to start.
#[derive(Clone, Debug)]
pub struct ClusterSpec {
    /// Replication strategy.
    pub replication: ReplicationKind,
    /// Read level.
    pub read: ReadLevel,
    /// Conflict resolution (gossip).
    pub conflict: ConflictMode,
    /// Number of nodes.
    pub nodes: usize,
    /// NATS URLs (log).
    pub nats: Vec<String>,
    /// Extra environment for every node (e.g. `RUST_LOG`).
    pub env: Vec<(String, String)>,
    /// Extra environment for one node: (node id, name, value), e.g. libfaketime's variables.
    pub node_env: Vec<(usize, String, String)>,
}

impl ClusterSpec {
    /// Three nodes with the given strategy and read level, last-writer-wins.
    pub fn new(replication: ReplicationKind, read: ReadLevel) -> ClusterSpec {
        ClusterSpec {
            replication,
            read,
            conflict: ConflictMode::Lww,
            nodes: 3,
            nats: Vec::new(),
            env: Vec::new(),
            node_env: Vec::new(),
        }
    }

    /// The same spec with `name=value` in node `node`'s environment.
    pub fn env_for(mut self, node: usize, name: &str, value: &str) -> ClusterSpec {
        self.node_env.push((node, name.into(), value.into()));
        self
    }

    /// The same spec with another conflict mode.
    pub fn conflict(mut self, conflict: ConflictMode) -> ClusterSpec {
        self.conflict = conflict;
        self
    }

    /// The same spec with NATS URLs.
    pub fn nats(mut self, urls: Vec<String>) -> ClusterSpec {
        self.nats = urls;
        self
    }
}

/// A free TCP port on 127.0.0.1 (free when asked; another process may take it later).
pub fn free_port() -> Result<u16, BookingError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| harness("picking a free port on 127.0.0.1", source))
}

/// A failed OS call of a test cluster, saying what was being done.
pub(crate) fn harness(what: impl Into<String>, source: io::Error) -> BookingError {
    BookingError::Harness {
        what: what.into(),
        source,
    }
}

/// The booking-node binary a tool (a benchmark, an example) runs: `given`, else the workspace's
/// release build; an error names the path and how to build it when it is not there.
pub fn node_binary(given: Option<PathBuf>) -> Result<PathBuf, BookingError> {
    let bin = given.unwrap_or_else(|| {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/release/booking-node"
        ))
    });
    if bin.exists() {
        return Ok(bin);
    }
    Err(harness(
        format!(
            "no booking-node at {} (build it: cargo build --release -p booking --bin booking-node)",
            bin.display()
        ),
        io::Error::from(io::ErrorKind::NotFound),
    ))
}

/// Stdout and stderr for `who`, a child process of a test cluster: both appended to `path`.
pub(crate) fn log_output(path: &Path, who: &str) -> Result<(Stdio, Stdio), BookingError> {
    let open = || -> io::Result<(Stdio, Stdio)> {
        let log = File::options().create(true).append(true).open(path)?;
        Ok((log.try_clone()?.into(), log.into()))
    };
    open().map_err(|e| harness(format!("opening {who}'s log {}", path.display()), e))
}

/// A running cluster of `booking-node` processes.
#[derive(Debug)]
pub struct TestCluster {
    bin: PathBuf,
    spec: ClusterSpec,
    addrs: Vec<SocketAddr>,
    dir: tempfile::TempDir,
    children: Vec<Option<Child>>,
}

impl TestCluster {
    /// Start `spec.nodes` nodes of the binary `bin` and wait until each answers `status`. Ports
    /// are picked free but another process may take one before the node binds it; the whole
    /// cluster is then started again on new ports (at most [`START_ATTEMPTS`] times).
    pub async fn start(bin: &Path, spec: ClusterSpec) -> Result<TestCluster, BookingError> {
        let mut attempt = 1;
        loop {
            match Self::start_once(bin, spec.clone()).await {
                Err(BookingError::NodeExited { log, .. })
                    if attempt < START_ATTEMPTS && log.contains(PORT_TAKEN) =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn start_once(bin: &Path, spec: ClusterSpec) -> Result<TestCluster, BookingError> {
        let dir = tempfile::Builder::new()
            .prefix("booking-cluster-")
            .tempdir()
            .map_err(|e| harness("creating a test cluster's temporary directory", e))?;
        let addrs = (0..spec.nodes)
            .map(|_| free_port().map(|p| SocketAddr::from(([127, 0, 0, 1], p))))
            .collect::<Result<Vec<_>, _>>()?;
        let mut cluster = TestCluster {
            bin: bin.to_owned(),
            children: (0..spec.nodes).map(|_| None).collect(),
            spec,
            addrs,
            dir,
        };
        for i in 0..cluster.addrs.len() {
            cluster.spawn(i)?;
        }
        for i in 0..cluster.addrs.len() {
            cluster.wait_ready(i).await?;
        }
        Ok(cluster)
    }

    /// Every node's address, in id order.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Node `i`'s address.
    pub fn addr(&self, i: usize) -> SocketAddr {
        self.addrs[i]
    }

    /// Node `i`'s data directory.
    pub fn data_dir(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("node-{i}"))
    }

    /// Node `i`'s stderr log.
    pub fn log_path(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("node-{i}.log"))
    }

    /// Node `i`'s pid, if running.
    pub fn pid(&self, i: usize) -> Option<u32> {
        self.children[i].as_ref().map(Child::id)
    }

    /// The command line node `i` is started with (binary first).
    pub fn command_line(&self, i: usize) -> Vec<String> {
        let peers: Vec<String> = self.addrs.iter().map(ToString::to_string).collect();
        let mut args = vec![
            self.bin.display().to_string(),
            "--id".into(),
            i.to_string(),
            "--listen".into(),
            self.addrs[i].to_string(),
            "--peers".into(),
            peers.join(","),
            "--data-dir".into(),
            self.data_dir(i).display().to_string(),
            "--replication".into(),
            self.spec.replication.to_string(),
            "--read".into(),
            self.spec.read.to_string(),
            "--conflict".into(),
            self.spec.conflict.to_string(),
        ];
        if !self.spec.nats.is_empty() {
            args.push("--nats".into());
            args.push(self.spec.nats.join(","));
        }
        args
    }

    fn spawn(&mut self, i: usize) -> Result<(), BookingError> {
        let args = self.command_line(i);
        let (stdout, stderr) = log_output(&self.log_path(i), &format!("node {i}"))?;
        let mut cmd = Command::new(&args[0]);
        cmd.args(&args[1..])
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .envs(self.spec.env.iter().map(|(k, v)| (k, v)))
            .envs(
                self.spec
                    .node_env
                    .iter()
                    .filter(|(n, _, _)| *n == i)
                    .map(|(_, k, v)| (k, v)),
            );
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                    .map_err(io::Error::from)
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| harness(format!("starting node {i} ({})", args[0]), e))?;
        self.children[i] = Some(child);
        Ok(())
    }

    async fn wait_ready(&mut self, i: usize) -> Result<(), BookingError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(child) = self.children[i].as_mut() {
                let exited = child.try_wait().map_err(|e| {
                    harness(format!("waiting for node {i} (pid {})", child.id()), e)
                })?;
                if let Some(status) = exited {
                    self.children[i] = None;
                    let log = std::fs::read_to_string(self.log_path(i)).unwrap_or_default();
                    return Err(BookingError::NodeExited {
                        node: i,
                        status,
                        log,
                    });
                }
            }
            if let Ok(c) = Client::connect(self.addrs[i], Duration::from_millis(500)).await {
                if c.status().await.is_ok() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(BookingError::NodeNotReady {
                    node: i,
                    addr: self.addrs[i],
                    waited: READY_TIMEOUT,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kill node `i` with SIGKILL and reap it.
    pub fn kill(&mut self, i: usize) -> Result<(), BookingError> {
        if let Some(mut child) = self.children[i].take() {
            let pid = child.id();
            child
                .kill()
                .and_then(|()| child.wait())
                .map_err(|e| harness(format!("killing node {i} (pid {pid})"), e))?;
        }
        Ok(())
    }

    /// Start node `i` again (after [`TestCluster::kill`]) and wait until it is ready.
    pub async fn restart(&mut self, i: usize) -> Result<(), BookingError> {
        self.kill(i)?;
        self.spawn(i)?;
        self.wait_ready(i).await
    }

    /// A client of node `i` with the given per-request timeout.
    pub async fn client(&self, i: usize, timeout: Duration) -> Result<Client, BookingError> {
        Client::connect(self.addrs[i], timeout).await
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for i in 0..self.children.len() {
            let _ = self.kill(i);
        }
    }
}
