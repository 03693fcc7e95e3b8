//! `booking-node`: one replica of the booking service.
//!
//! `booking-node --id <i> --listen <ip:port> --peers <a0,a1,a2> --data-dir <dir>
//!  --replication sync|async|log|raft|gossip --read one|majority|all [--conflict lww|vv]
//!  [--nats <url>[,<url>..]]`
//!
//! Exit codes: 3 for a usage error or a failure to start; the node otherwise runs until killed.

use anyhow::{bail, Context};
use booking::config::{ConflictMode, NodeConfig, ReadLevel, ReplicationKind};
use booking::replication::{self, NodeContext, Peers};
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One replica of the booking service.
#[derive(Debug, Parser)]
#[command(name = "booking-node", version, about)]
struct Cli {
    /// This node's id: its 0-based index in --peers.
    #[arg(long)]
    id: usize,
    /// Address to listen on, for clients and peers alike.
    #[arg(long)]
    listen: SocketAddr,
    /// Every replica's address in id order, this node's own included.
    #[arg(long, value_delimiter = ',', required = true)]
    peers: Vec<SocketAddr>,
    /// Directory for this node's journal (created if missing).
    #[arg(long)]
    data_dir: PathBuf,
    /// Replication strategy.
    #[arg(long, value_enum)]
    replication: ReplicationKind,
    /// Read level.
    #[arg(long, value_enum)]
    read: ReadLevel,
    /// Conflict resolution for gossip.
    #[arg(long, value_enum, default_value_t = ConflictMode::Lww)]
    conflict: ConflictMode,
    /// NATS server URLs for the log strategy.
    #[arg(long, value_delimiter = ',')]
    nats: Vec<String>,
}

impl Cli {
    /// Validate the flags into a configuration.
    fn into_config(self) -> anyhow::Result<NodeConfig> {
        if self.id >= self.peers.len() {
            bail!(
                "--id {} is not an index into --peers ({} addresses)",
                self.id,
                self.peers.len()
            );
        }
        if self.replication == ReplicationKind::Log && self.nats.is_empty() {
            bail!("--replication log needs --nats <url>");
        }
        if self.conflict == ConflictMode::Vv && self.replication != ReplicationKind::Gossip {
            bail!("--conflict vv applies only to --replication gossip");
        }
        Ok(NodeConfig {
            id: self.id,
            listen: self.listen,
            peers: self.peers,
            data_dir: self.data_dir,
            replication: self.replication,
            read: self.read,
            conflict: self.conflict,
            nats: self.nats,
        })
    }
}

async fn run(config: NodeConfig) -> anyhow::Result<()> {
    let listen = config.listen;
    let peers = Peers::new(&config, replication::peers::PEER_TIMEOUT);
    let strategy = replication::start(NodeContext {
        config: config.clone(),
        peers,
    })
    .await
    .with_context(|| format!("starting {} replication", config.replication))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    tracing::info!(
        node = config.id,
        %listen,
        replication = %config.replication,
        read = %config.read,
        "ready"
    );
    booking::server::serve(listener, strategy).await;
    Ok(())
}

fn main() {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in the log files rift keeps.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            let _ = e.print();
            std::process::exit(3);
        }
        Err(e) => e.exit(),
    };
    let result = cli.into_config().and_then(|config| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the tokio runtime")?
            .block_on(run(config))
    });
    if let Err(e) = result {
        eprintln!("booking-node: error: {e:#}");
        std::process::exit(3);
    }
}
