//! `Peers`: this node's links to the other nodes of the cluster, with errors mapped to
//! [`NodeError`]s that name the peer.

use crate::client::{Client, ClientError};
use crate::config::NodeConfig;
use crate::error::NodeError;
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
    pub async fn send(&self, to: usize, msg: Value) -> Result<Value, NodeError> {
        let client = self.client(to).ok_or_else(|| NodeError::Strategy {
            message: format!("node {} has no peer link to node {to}", self.me),
            definite: true,
        })?;
        client
            .peer(self.me, msg)
            .await
            .map_err(|e| peer_error(to, e))
    }
}

/// The node-side view of a client error talking to peer `node`.
pub fn peer_error(node: usize, e: ClientError) -> NodeError {
    match e {
        ClientError::Connect { reason, .. } => NodeError::Unavailable { node, reason },
        ClientError::Timeout { millis, .. } => NodeError::Timeout { node, millis },
        ClientError::Server {
            message, definite, ..
        } => NodeError::Remote {
            node,
            message,
            definite,
        },
        other => NodeError::Remote {
            node,
            message: other.to_string(),
            definite: other.is_definite(),
        },
    }
}
