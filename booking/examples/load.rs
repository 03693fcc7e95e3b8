//! Load generator: throughput and latency of `book` and `available` for every combination of
//! replication strategy and read level, each on a fresh 3-node cluster on loopback.
//!
//! ```text
//! cargo build --release -p booking --bin booking-node --example load
//! target/release/examples/load [--seconds 3] [--workers 64] [--only async:one,sync:all]
//!     [--bin target/release/booking-node] [--nats nats://127.0.0.1:4222]
//! ```
//!
//! Without `--nats`, each log combination starts its own three NATS servers (JetStream, R3).
//!
//! Every worker is one request in flight at a time; each sends its requests round-robin over
//! two connections to each node (so every node coordinates requests). `book` picks a
//! random room among 100,000 and a fresh guest; `available` a random room. Between the two phases
//! the generator waits (at most 30 s) until every node holds the same number of keys, so reads
//! are not measured against the write backlog of async or gossip replication. Prints one Markdown
//! table row per combination; a combination whose cluster cannot start says why.

use anyhow::Context;
use booking::config::{ReadLevel, ReplicationKind};
use booking::replication::log::nats_server::NatsCluster;
use booking::testing::{node_binary, ClusterSpec, TestCluster};
use booking::Client;
use clap::{Parser, ValueEnum};
use rand::Rng;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Command line.
#[derive(Debug, Parser)]
struct Args {
    /// Seconds of load per operation and combination.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Concurrent requests in flight.
    #[arg(long, default_value_t = 64)]
    workers: usize,
    /// Only these combinations, as replication:read (e.g. async:one,sync:all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// The booking-node binary.
    #[arg(long)]
    bin: Option<PathBuf>,
    /// NATS URLs for the log strategy (a JetStream-enabled server you started).
    #[arg(long, value_delimiter = ',')]
    nats: Vec<String>,
}

/// Throughput and latency of one operation.
struct Figures {
    ops_per_sec: f64,
    p50_us: u64,
    p99_us: u64,
    errors: usize,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} | {:.2} | {:.2} | {}",
            self.ops_per_sec,
            self.p50_us as f64 / 1000.0,
            self.p99_us as f64 / 1000.0,
            self.errors
        )
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Book,
    Available,
}

async fn drive(clients: &[Arc<Client>], workers: usize, seconds: f64, op: Op) -> Figures {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        let clients = clients.to_vec();
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut n = 0u64;
            while Instant::now() < deadline {
                let room = rand::thread_rng().gen_range(0..100_000).to_string();
                // Round-robin over the nodes, so every node coordinates requests.
                let client = &clients[(w + n as usize) % clients.len()];
                let start = Instant::now();
                let result = match op {
                    Op::Book => client.book(&room, &format!("g{w}-{n}")).await.map(|_| ()),
                    Op::Available => client.available(&room).await.map(|_| ()),
                };
                n += 1;
                match result {
                    Ok(()) => latencies.push(start.elapsed().as_micros() as u64),
                    Err(e) => {
                        if errors == 0 && w == 0 {
                            eprintln!("{op:?}: first error of worker 0: {e}");
                        }
                        errors += 1
                    }
                }
            }
            (latencies, errors)
        });
    }
    let started = Instant::now();
    let mut all = Vec::new();
    let mut errors = 0;
    while let Some(joined) = tasks.join_next().await {
        let (l, e) = joined.expect("worker does not panic");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64().max(seconds);
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Figures {
        ops_per_sec: all.len() as f64 / elapsed,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        errors,
    }
}

/// Wait (at most 30 s) until every node reports the same key count twice in a row, so the
/// `available` phase is not measured while replication still catches up with the `book` phase.
async fn settle(nodes: &[Arc<Client>]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = None;
    while Instant::now() < deadline {
        let mut keys = Vec::new();
        for n in nodes {
            keys.push(n.status().await.map(|s| s.keys).ok());
        }
        let agreed = keys.iter().all(|k| k.is_some() && *k == keys[0]);
        if agreed && last.as_ref() == Some(&keys) {
            return;
        }
        last = Some(keys);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run_one(
    args: &Args,
    bin: &Path,
    replication: ReplicationKind,
    read: ReadLevel,
) -> anyhow::Result<(Figures, Figures)> {
    // The log strategy without --nats gets its own three-server JetStream cluster (R3 stream).
    let nats = if replication == ReplicationKind::Log && args.nats.is_empty() {
        Some(NatsCluster::start(3).await.context("starting NATS")?)
    } else {
        None
    };
    let urls = nats
        .as_ref()
        .map_or_else(|| args.nats.clone(), NatsCluster::urls);
    let spec = ClusterSpec::new(replication, read).nats(urls);
    let cluster = TestCluster::start(bin, spec)
        .await
        .context("starting the cluster")?;
    let mut clients = Vec::new();
    for _ in 0..2 {
        for i in 0..cluster.addrs().len() {
            clients.push(Arc::new(cluster.client(i, Duration::from_secs(5)).await?));
        }
    }
    drive(&clients, args.workers, 0.5, Op::Book).await; // warm-up
    let book = drive(&clients, args.workers, args.seconds, Op::Book).await;
    settle(&clients[..cluster.addrs().len()]).await;
    let available = drive(&clients, args.workers, args.seconds, Op::Available).await;
    drop(cluster);
    drop(nats);
    Ok((book, available))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bin = node_binary(args.bin.clone())?;
    println!("| replication | read | book ops/s | book p50 ms | book p99 ms | book errors | available ops/s | available p50 ms | available p99 ms | available errors |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for replication in ReplicationKind::value_variants() {
        for read in ReadLevel::value_variants() {
            let name = format!("{replication}:{read}");
            if !args.only.is_empty() && !args.only.contains(&name) {
                continue;
            }
            match run_one(&args, &bin, *replication, *read).await {
                Ok((book, available)) => {
                    println!("| {replication} | {read} | {book} | {available} |")
                }
                Err(e) => println!(
                    "| {replication} | {read} | not measured: {} | | | | | | | |",
                    format!("{e:#}").lines().next().unwrap_or_default()
                ),
            }
        }
    }
    Ok(())
}
