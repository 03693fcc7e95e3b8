//! NATS servers for the log strategy: [`NatsServerSpec`] says how to run server `i` of a
//! JetStream cluster (pure data: a command line), and [`NatsCluster`] runs such servers as child
//! processes for tests and benchmarks.
//!
//! A cluster of `n` servers on loopback: server `i` serves clients on `client`, talks to the
//! other servers over `cluster` (routes to every other server's cluster address), is named
//! `nats-i` (JetStream clustering needs a stable `server_name`) and keeps its JetStream files in
//! `store_dir`. With one server there are no routes and streams have one replica; with three,
//! the booking stream is replicated on all three (R3) and survives the loss of one server.
//!
//! rift's cluster runner can build the same command lines with [`NatsServerSpec::args`]; tests
//! use [`NatsCluster::start`], which picks free ports, waits (bounded) until JetStream answers
//! on every server, and kills every server it started, by pid, when dropped, also on panic.

use crate::error::BookingError;
use crate::testing::{free_port, harness, log_output};
use std::io;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The NATS server program, unless `RIFT_NATS_SERVER` names another.
pub const NATS_SERVER: &str = "nats-server";
/// The JetStream cluster's name.
pub const CLUSTER_NAME: &str = "rift";
/// How long [`NatsCluster::start`] waits for JetStream to answer on every server.
pub const NATS_READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How to run one NATS server of a JetStream cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatsServerSpec {
    /// The server's name (`nats-<i>`), stable across restarts.
    pub name: String,
    /// Address clients connect to.
    pub client: SocketAddr,
    /// Address the other servers connect to (unused with a single server).
    pub cluster: SocketAddr,
    /// The other servers' cluster addresses.
    pub routes: Vec<SocketAddr>,
    /// JetStream storage directory.
    pub store_dir: PathBuf,
}

impl NatsServerSpec {
    /// The specs of a cluster whose server `i` serves clients on `clients[i]` and peers on
    /// `clusters[i]`, with its files under `dir/nats-<i>`.
    pub fn cluster(clients: &[SocketAddr], clusters: &[SocketAddr], dir: &Path) -> Vec<Self> {
        (0..clients.len())
            .map(|i| NatsServerSpec {
                name: format!("nats-{i}"),
                client: clients[i],
                cluster: clusters[i],
                routes: if clients.len() > 1 {
                    (0..clusters.len())
                        .filter(|&j| j != i)
                        .map(|j| clusters[j])
                        .collect()
                } else {
                    Vec::new()
                },
                store_dir: dir.join(format!("nats-{i}")),
            })
            .collect()
    }

    /// The URL booking nodes use to reach this server.
    pub fn url(&self) -> String {
        format!("nats://{}", self.client)
    }

    /// The server's arguments (program excluded).
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "--jetstream".to_string(),
            "--store_dir".into(),
            self.store_dir.display().to_string(),
            "--addr".into(),
            self.client.ip().to_string(),
            "--port".into(),
            self.client.port().to_string(),
            "--server_name".into(),
            self.name.clone(),
        ];
        if !self.routes.is_empty() {
            let routes: Vec<String> = self.routes.iter().map(|r| format!("nats://{r}")).collect();
            args.extend([
                "--cluster_name".into(),
                CLUSTER_NAME.into(),
                "--cluster".into(),
                format!("nats://{}", self.cluster),
                "--routes".into(),
                routes.join(","),
            ]);
        }
        args
    }

    /// The server's command: `$RIFT_NATS_SERVER` or `nats-server`, with [`NatsServerSpec::args`].
    pub fn command(&self) -> Command {
        let program = std::env::var("RIFT_NATS_SERVER").unwrap_or_else(|_| NATS_SERVER.into());
        let mut cmd = Command::new(program);
        cmd.args(self.args());
        cmd
    }
}

/// NATS servers running as children of this process.
#[derive(Debug)]
pub struct NatsCluster {
    specs: Vec<NatsServerSpec>,
    dir: tempfile::TempDir,
    children: Vec<Option<Child>>,
}

impl NatsCluster {
    /// Start `n` servers on free loopback ports, each with its own store in a temporary
    /// directory, and wait until JetStream answers on each.
    pub async fn start(n: usize) -> Result<NatsCluster, BookingError> {
        let dir = tempfile::Builder::new()
            .prefix("booking-nats-")
            .tempdir()
            .map_err(|e| harness("creating a NATS cluster's temporary directory", e))?;
        let ports = |_| free_port().map(|p| SocketAddr::from(([127, 0, 0, 1], p)));
        let clients = (0..n).map(ports).collect::<Result<Vec<_>, _>>()?;
        let clusters = (0..n).map(ports).collect::<Result<Vec<_>, _>>()?;
        let specs = NatsServerSpec::cluster(&clients, &clusters, dir.path());
        let mut cluster = NatsCluster {
            children: (0..n).map(|_| None).collect(),
            specs,
            dir,
        };
        for i in 0..n {
            cluster.spawn(i)?;
        }
        cluster.wait_ready().await?;
        Ok(cluster)
    }

    /// The servers' specs.
    pub fn specs(&self) -> &[NatsServerSpec] {
        &self.specs
    }

    /// Every server's client URL, for `booking-node --nats`.
    pub fn urls(&self) -> Vec<String> {
        self.specs.iter().map(NatsServerSpec::url).collect()
    }

    /// Server `i`'s log file.
    pub fn log_path(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("nats-{i}.log"))
    }

    fn spawn(&mut self, i: usize) -> Result<(), BookingError> {
        let (stdout, stderr) = log_output(&self.log_path(i), &format!("nats-server {i}"))?;
        let mut cmd = self.specs[i].command();
        cmd.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                    .map_err(io::Error::from)
            });
        }
        let program = cmd.get_program().to_string_lossy().into_owned();
        let child = cmd
            .spawn()
            .map_err(|e| harness(format!("starting nats-server {i} ({program})"), e))?;
        self.children[i] = Some(child);
        Ok(())
    }

    /// Waits until JetStream answers an account-info request through every server.
    pub async fn wait_ready(&mut self) -> Result<(), BookingError> {
        let deadline = Instant::now() + NATS_READY_TIMEOUT;
        for i in 0..self.specs.len() {
            if self.children[i].is_none() {
                continue;
            }
            loop {
                if let Some(status) = self.children[i].as_mut().and_then(|c| c.try_wait().ok()?) {
                    let log = std::fs::read_to_string(self.log_path(i)).unwrap_or_default();
                    return Err(BookingError::NatsExited {
                        server: i,
                        status,
                        log,
                    });
                }
                if jetstream_answers(&self.specs[i].url()).await {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(BookingError::NatsNotReady {
                        url: self.specs[i].url(),
                        waited: NATS_READY_TIMEOUT,
                    });
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Ok(())
    }

    /// Kill server `i` with SIGKILL and reap it.
    pub fn kill(&mut self, i: usize) -> Result<(), BookingError> {
        if let Some(mut child) = self.children[i].take() {
            let pid = child.id();
            child
                .kill()
                .and_then(|()| child.wait())
                .map_err(|e| harness(format!("killing nats-server {i} (pid {pid})"), e))?;
        }
        Ok(())
    }

    /// Start server `i` again on the same ports and store, and wait until JetStream answers.
    pub async fn restart(&mut self, i: usize) -> Result<(), BookingError> {
        self.kill(i)?;
        self.spawn(i)?;
        self.wait_ready().await
    }

    /// Start every server that is not running (JetStream needs a majority of the servers up
    /// before any answers), then wait until JetStream answers on each.
    pub async fn restart_stopped(&mut self) -> Result<(), BookingError> {
        for i in 0..self.children.len() {
            if self.children[i].is_none() {
                self.spawn(i)?;
            }
        }
        self.wait_ready().await
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for i in 0..self.children.len() {
            let _ = self.kill(i);
        }
    }
}

/// True if a JetStream account-info request (`$JS.API.INFO`) through `url` is answered without
/// an error within a second (a raw request: the client's typed account info does not parse
/// nats-server 2.9's answer).
async fn jetstream_answers(url: &str) -> bool {
    let probe = async {
        let client = async_nats::connect(url).await.ok()?;
        let reply = client.request("$JS.API.INFO", "".into()).await.ok()?;
        let info: serde_json::Value = serde_json::from_slice(&reply.payload).ok()?;
        info.get("error").is_none().then_some(())
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(1), probe).await,
        Ok(Some(()))
    )
}
