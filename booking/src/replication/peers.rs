//! `Peers`: this node's links to the other nodes of the cluster, with errors mapped to
//! [`BookingError`]s that name the peer.

use crate::client::Client;
use crate::config::NodeConfig;
use crate::error::BookingError;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How long a node waits for a peer's answer.
pub const PEER_TIMEOUT: Duration = Duration::from_millis(1000);

/// Links to every other node, by id.
#[derive(Debug)]
pub struct Peers {
    me: usize,
    clients: Vec<Option<Arc<Client>>>,
}

impl Peers {
    /// Lazy links to every node of `config` but this one; each request waits at most `timeout`.
    pub fn new(config: &NodeConfig, timeout: Duration) -> Peers {
        let clients = config
            .peers
            .iter()
            .enumerate()
            .map(|(i, &addr)| (i != config.id).then(|| Arc::new(Client::lazy(addr, timeout))))
            .collect();
        Peers {
            me: config.id,
            clients,
        }
    }

    /// This node's id.
    pub fn me(&self) -> usize {
        self.me
    }

    /// Number of nodes in the cluster, this one included.
    pub fn cluster_size(&self) -> usize {
        self.clients.len()
    }

    /// Ids of the other nodes.
    pub fn others(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.clients.len()).filter(move |&i| i != self.me)
    }

    /// The client of node `to` (`None` for this node or an unknown id).
    pub fn client(&self, to: usize) -> Option<&Arc<Client>> {
        self.clients.get(to).and_then(Option::as_ref)
    }

    /// Send `msg` to node `to` and return its answer.
    pub async fn send(&self, to: usize, msg: Value) -> Result<Value, BookingError> {
        let client = self.client(to).ok_or_else(|| BookingError::Strategy {
            message: format!("node {} has no peer link to node {to}", self.me),
            definite: true,
        })?;
        client
            .peer(self.me, msg)
            .await
            .map_err(|e| peer_error(to, e))
    }
}

/// The node-side view of a client's error talking to peer `node`: it names the peer's id
/// instead of its address.
pub fn peer_error(node: usize, e: BookingError) -> BookingError {
    match e {
        BookingError::Connect { reason, .. } => BookingError::Unavailable { node, reason },
        BookingError::NoReply { millis, .. } => BookingError::Timeout { node, millis },
        BookingError::Server {
            message, definite, ..
        } => BookingError::Remote {
            node,
            message,
            definite,
        },
        other => BookingError::Remote {
            node,
            message: other.to_string(),
            definite: other.is_definite(),
        },
    }
}
