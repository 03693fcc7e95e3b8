//! NATS failover as the log strategy sees it: how long writes stop when one of the three NATS
//! servers (JetStream, R3 stream) is SIGKILLed, each trial on a fresh cluster on loopback.
//!
//! ```text
//! cargo build --release -p booking --bin booking-node --example nats_failover
//! target/release/examples/nats_failover [--trials 5] [--limit 60]
//!     [--bin target/release/booking-node]
//! ```
//!
//! In each trial one writer per booking node writes unique keys one at a time through that node
//! (each call bounded by 500 ms) for a second, then NATS server `trial % 3` is SIGKILLed. The
//! outage a node sees is the time from the kill to the acknowledgement of its first write sent
//! after it; the trial's outage is the longest over the nodes (a node with no write within
//! `--limit` s counts as the limit and is named). Prints one line per trial and the median.

use anyhow::{bail, Context};
use booking::config::{ReadLevel, ReplicationKind};
use booking::replication::log::nats_server::NatsCluster;
use booking::testing::{node_binary, ClusterSpec, TestCluster};
use booking::Client;
use clap::Parser;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Command line.
#[derive(Debug, Parser)]
struct Args {
    /// Trials, each on a fresh cluster.
    #[arg(long, default_value_t = 5)]
    trials: usize,
    /// Seconds a node may take to write again after the kill.
    #[arg(long, default_value_t = 60.0)]
    limit: f64,
    /// The booking-node binary.
    #[arg(long)]
    bin: Option<PathBuf>,
}

/// Each call's bound: a write stuck in the failover ends as an error after this.
const CALL_TIMEOUT: Duration = Duration::from_millis(500);

/// What the writers and the trial share: when the server was killed, and each node's first
/// acknowledged write after that.
#[derive(Default)]
struct Watch {
    killed: OnceLock<Instant>,
    resumed: [OnceLock<Instant>; 3],
    stop: AtomicBool,
}

/// Writes unique keys through `client` one at a time until told to stop, noting the first
/// acknowledged write after the kill.
async fn writer(client: Client, node: usize, watch: Arc<Watch>) {
    let mut n = 0u64;
    while !watch.stop.load(Ordering::Relaxed) {
        n += 1;
        let sent = Instant::now();
        if client
            .write(&format!("n{node}-{n}"), json!(n))
            .await
            .is_ok()
        {
            if watch.killed.get().is_some_and(|&k| sent > k) {
                let _ = watch.resumed[node].set(Instant::now());
            }
        } else {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// One trial: the outage each node saw (`None`: no write within `limit`).
async fn trial(
    bin: &Path,
    victim: usize,
    limit: Duration,
) -> anyhow::Result<Vec<Option<Duration>>> {
    let mut nats = NatsCluster::start(3).await.context("starting NATS")?;
    let spec = ClusterSpec::new(ReplicationKind::Log, ReadLevel::One).nats(nats.urls());
    let nodes = TestCluster::start(bin, spec)
        .await
        .context("starting the booking nodes")?;
    let mut clients = Vec::new();
    for i in 0..3 {
        let client = nodes.client(i, CALL_TIMEOUT).await?;
        // The stream and the consumers come up in the background: wait for a first write.
        let deadline = Instant::now() + Duration::from_secs(20);
        while client.write("warmup", json!(i)).await.is_err() {
            if Instant::now() > deadline {
                bail!("node {i} could not write within 20 s of starting");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        clients.push(client);
    }
    let watch = Arc::new(Watch::default());
    let writers: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, c)| tokio::spawn(writer(c, i, watch.clone())))
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let killed = Instant::now();
    let _ = watch.killed.set(killed);
    nats.kill(victim)?;
    while killed.elapsed() < limit && watch.resumed.iter().any(|r| r.get().is_none()) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    watch.stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.context("a writer task")?;
    }
    Ok(watch
        .resumed
        .iter()
        .map(|r| r.get().map(|&t| t - killed))
        .collect())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bin = node_binary(args.bin.clone())?;
    if !(args.limit.is_finite() && args.limit > 0.0) {
        bail!("--limit {} is not a positive number of seconds", args.limit);
    }
    let limit = Duration::from_secs_f64(args.limit);
    let mut worst = Vec::new();
    for t in 0..args.trials {
        let victim = t % 3;
        let outages = trial(&bin, victim, limit).await?;
        let words: Vec<String> = outages
            .iter()
            .enumerate()
            .map(|(i, o)| match o {
                Some(d) => format!("n{i} {:.2} s", d.as_secs_f64()),
                None => format!("n{i} none within {:.0} s", args.limit),
            })
            .collect();
        println!(
            "trial {t}: NATS server {victim} killed; writes resumed: {}",
            words.join(", ")
        );
        worst.push(outages.iter().map(|o| o.unwrap_or(limit)).max());
    }
    let mut worst: Vec<Duration> = worst.into_iter().flatten().collect();
    worst.sort();
    if let Some(median) = worst.get(worst.len() / 2) {
        println!(
            "median over {} trials of the longest outage of a node: {:.2} s",
            worst.len(),
            median.as_secs_f64()
        );
    }
    Ok(())
}
