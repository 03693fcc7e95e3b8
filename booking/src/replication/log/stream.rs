//! The booking stream on JetStream: its configuration, the connection to the NATS servers, and
//! the [`Envelope`] each published command travels in.

use crate::command::Command;
use crate::error::BookingError;
use async_nats::jetstream::{self, stream};
use async_nats::ServerAddr;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The JetStream stream holding every command, in the order replicas apply them.
pub const STREAM: &str = "BOOKING";
/// How long a JetStream API request or publish waits for its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
/// The subject commands are published on.
pub const SUBJECT: &str = "booking.commands";

/// A command as published: who published it (node, process incarnation and a per-process
/// token), so the publishing node can hand the command's result to the waiting client when its
/// own replica applies it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// The publishing node's id.
    pub from: usize,
    /// The publishing process's start time (µs), telling apart tokens of earlier runs.
    pub incarnation: u64,
    /// The publisher's token for this command.
    pub token: u64,
    /// The command.
    pub command: Command,
}

/// The stream's configuration: file storage, replicated on up to three servers.
pub fn stream_config(servers: usize) -> stream::Config {
    stream::Config {
        name: STREAM.into(),
        subjects: vec![SUBJECT.into()],
        storage: stream::StorageType::File,
        num_replicas: servers.clamp(1, 3),
        ..Default::default()
    }
}

/// A JetStream context over a connection to any of `urls`; the connection is made (and remade)
/// in the background, retrying every 100 ms to 1 s, so a node starts while its servers do.
pub async fn connect(urls: &[String]) -> Result<jetstream::Context, BookingError> {
    let addrs = urls
        .iter()
        .map(|u| {
            u.parse::<ServerAddr>()
                .map_err(|e| BookingError::BadRequest(format!("--nats {u:?}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(1))
        .reconnect_delay_callback(|attempts| {
            Duration::from_millis((100 * attempts as u64).min(1000))
        })
        .connect(addrs)
        .await
        .map_err(|e| BookingError::Strategy {
            message: format!("cannot connect to NATS {urls:?}: {e}"),
            definite: true,
        })?;
    let mut js = jetstream::new(client);
    // A request lost with a dead server is given up after this, not after the default 5 s.
    js.set_timeout(REQUEST_TIMEOUT);
    Ok(js)
}

/// How long a starting node waits for the stream before it serves clients anyway (writes then
/// fail definitely, "no stream", until the consumer loop creates it).
pub const STARTUP_WAIT: Duration = Duration::from_secs(10);

/// Creates the stream if it does not exist, retrying for at most [`STARTUP_WAIT`], so a node
/// that starts with its NATS servers serves writes from its first request.
pub async fn ensure(js: &jetstream::Context, servers: usize, node: usize) {
    let deadline = tokio::time::Instant::now() + STARTUP_WAIT;
    loop {
        match js.get_or_create_stream(stream_config(servers)).await {
            Ok(_) => return,
            Err(e) if tokio::time::Instant::now() >= deadline => {
                tracing::warn!(
                    node,
                    "stream {STREAM} not available after {STARTUP_WAIT:?}: {e}"
                );
                return;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
