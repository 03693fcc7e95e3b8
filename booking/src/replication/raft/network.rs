//! `RaftPeers`: openraft's RPCs (append-entries, vote, install-snapshot) carried as `peer`
//! requests over each node's one listen address, through the node's [`Peers`] links.
//!
//! On the wire a Raft RPC is a [`RaftMessage`] in the `msg` of a peer request; the answer's
//! `result` is openraft's `Result<response, RaftError>` as JSON, so a refusal by the remote Raft
//! (e.g. a higher vote) reaches the local Raft as openraft's `RemoteError`.

use super::types::{NodeId, TypeConfig};
use crate::command::{Command, Query};
use crate::error::BookingError;
use crate::protocol::Request;
use crate::replication::peers::{peer_error, Peers};
use openraft::error::{
    Infallible, InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable,
};
use openraft::network::{Backoff, RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// A message between the raft strategies of two nodes, externally tagged on the wire
/// (`{"vote": {..}}`): openraft maps with integer keys do not survive serde's buffering of
/// internally tagged enums.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RaftMessage {
    /// Raft's append-entries RPC (also the heartbeat).
    AppendEntries(AppendEntriesRequest<TypeConfig>),
    /// Raft's request-vote RPC.
    Vote(VoteRequest<NodeId>),
    /// One chunk of a snapshot.
    InstallSnapshot(InstallSnapshotRequest<TypeConfig>),
    /// A client's command forwarded by a follower to the node it believes leads.
    Write(Command),
    /// A client's query forwarded by a follower to the node it believes leads.
    Read(Query),
}

impl RaftMessage {
    /// The message as the `msg` of a peer request.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("raft messages always serialise")
    }
}

/// How long a replication stream waits before retrying a peer it could not reach.
const RETRY_UNREACHABLE: Duration = Duration::from_millis(100);

/// Opens a [`RaftPeer`] per replication stream; every stream shares the node's peer links.
#[derive(Clone)]
pub struct RaftPeers {
    peers: Arc<Peers>,
}

impl RaftPeers {
    /// RPCs over `peers`.
    pub fn new(peers: Arc<Peers>) -> RaftPeers {
        RaftPeers { peers }
    }
}

impl RaftNetworkFactory<TypeConfig> for RaftPeers {
    type Network = RaftPeer;

    async fn new_client(&mut self, target: NodeId, _node: &openraft::BasicNode) -> RaftPeer {
        RaftPeer {
            peers: self.peers.clone(),
            target,
        }
    }
}

/// The link to one peer's Raft.
pub struct RaftPeer {
    peers: Arc<Peers>,
    target: NodeId,
}

type RpcResult<T, E> = Result<T, RPCError<NodeId, openraft::BasicNode, RaftError<NodeId, E>>>;

impl RaftPeer {
    /// Send `msg` and decode the answer, openraft's `Result<T, RaftError<E>>`.
    async fn call<T, E>(&self, msg: RaftMessage, ttl: Duration) -> RpcResult<T, E>
    where
        T: DeserializeOwned,
        E: std::error::Error + DeserializeOwned,
    {
        let to = self.target as usize;
        let client = self.peers.client(to).ok_or_else(|| {
            let e = BookingError::Strategy {
                message: format!("node {} has no peer link to node {to}", self.peers.me()),
                definite: true,
            };
            RPCError::Unreachable(Unreachable::new(&e))
        })?;
        let request = Request::Peer {
            from: self.peers.me(),
            msg: msg.to_value(),
        };
        let value =
            client
                .request_with_timeout(&request, ttl)
                .await
                .map_err(|e| match peer_error(to, e) {
                    e @ BookingError::Unavailable { .. } => {
                        RPCError::Unreachable(Unreachable::new(&e))
                    }
                    e => RPCError::Network(NetworkError::new(&e)),
                })?;
        let answer: Result<T, RaftError<NodeId, E>> =
            serde_json::from_value(value).map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        answer.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
    }
}

impl RaftNetwork<TypeConfig> for RaftPeer {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> RpcResult<AppendEntriesResponse<NodeId>, Infallible> {
        self.call(RaftMessage::AppendEntries(rpc), option.hard_ttl())
            .await
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> RpcResult<InstallSnapshotResponse<NodeId>, InstallSnapshotError> {
        self.call(RaftMessage::InstallSnapshot(rpc), option.hard_ttl())
            .await
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> RpcResult<VoteResponse<NodeId>, Infallible> {
        self.call(RaftMessage::Vote(rpc), option.hard_ttl()).await
    }

    fn backoff(&self) -> Backoff {
        Backoff::new(std::iter::repeat(RETRY_UNREACHABLE))
    }
}
