//! `RaftNode`: the raft strategy on one node — client writes proposed to the leader, reads at the
//! configured level, and peer messages handed to openraft.
//!
//! - A write at the leader is proposed with `client_write` and answered once committed by a
//!   majority and applied. A write at a follower is forwarded once to the node it believes leads;
//!   a node that knows no leader, or is asked to lead while it does not, refuses with a definite
//!   "not the leader" error naming the leader it knows.
//! - `--read one` answers from this node's applied state (a follower's may be stale);
//!   `--read majority` and `all` are linearisable: the leader confirms its leadership with a
//!   majority (openraft's read-index, `ensure_linearizable`), waits until it has applied up to
//!   that index, then reads; a follower forwards the query to the leader.

use super::network::RaftMessage;
use super::proposer::Proposer;
use super::state_machine::Applied;
use super::types::{NodeId, Raft};
use crate::command::{Command, Query, Response};
use crate::config::ReadLevel;
use crate::error::BookingError;
use crate::protocol::{Request, Status};
use crate::replication::peers::{peer_error, Peers};
use crate::replication::Replication;
use openraft::ServerState;
use serde_json::Value;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How long the leader waits for a proposed command to be batched, committed and applied.
pub const WRITE_TIMEOUT: Duration = Duration::from_millis(2000);
/// How long a follower waits for the leader to answer a forwarded request (a little longer than
/// the leader's own wait, so the leader's answer usually arrives first).
pub const FORWARD_TIMEOUT: Duration = Duration::from_millis(2500);

/// The raft strategy running on one node.
pub struct RaftNode {
    me: usize,
    read: ReadLevel,
    raft: Raft,
    proposer: Proposer,
    applied: Arc<RwLock<Applied>>,
    peers: Arc<Peers>,
}

fn definite(message: String) -> BookingError {
    BookingError::Strategy {
        message,
        definite: true,
    }
}

fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).expect("raft answers always serialise")
}

impl RaftNode {
    /// The strategy over a started `raft` whose state machine shares `applied`.
    pub fn new(
        me: usize,
        read: ReadLevel,
        raft: Raft,
        applied: Arc<RwLock<Applied>>,
        peers: Arc<Peers>,
    ) -> RaftNode {
        RaftNode {
            me,
            read,
            proposer: Proposer::start(me, raft.clone(), WRITE_TIMEOUT),
            raft,
            applied,
            peers,
        }
    }

    /// The leader this node knows of, if any.
    fn leader(&self) -> Option<usize> {
        self.raft
            .metrics()
            .borrow()
            .current_leader
            .map(|l| l as usize)
    }

    fn not_leader(&self) -> BookingError {
        match self.leader() {
            Some(l) => definite(format!(
                "node {} is not the raft leader; try node {l}",
                self.me
            )),
            None => definite(format!(
                "node {} knows no raft leader (an election is under way); try again",
                self.me
            )),
        }
    }

    /// Propose `cmd` at this node, which must be the leader.
    async fn write_here(&self, cmd: Command) -> Result<Response, BookingError> {
        if self.leader() != Some(self.me) {
            return Err(self.not_leader());
        }
        match tokio::time::timeout(WRITE_TIMEOUT, self.proposer.propose(cmd)).await {
            Ok(Ok(answer)) => answer,
            // The proposer dropped the command: it may or may not have been proposed.
            Ok(Err(_)) => Err(BookingError::Strategy {
                message: format!("node {}: the raft proposer stopped", self.me),
                definite: false,
            }),
            Err(_) => Err(BookingError::Timeout {
                node: self.me,
                millis: WRITE_TIMEOUT.as_millis() as u64,
            }),
        }
    }

    /// Answer `q` linearisably at this node, which must be the leader.
    async fn read_here(&self, q: Query) -> Result<Response, BookingError> {
        if self.leader() != Some(self.me) {
            return Err(self.not_leader());
        }
        match tokio::time::timeout(WRITE_TIMEOUT, self.raft.ensure_linearizable()).await {
            Err(_) => Err(BookingError::Timeout {
                node: self.me,
                millis: WRITE_TIMEOUT.as_millis() as u64,
            }),
            Ok(Err(e)) => Err(definite(format!(
                "node {} could not confirm its raft leadership: {e}",
                self.me
            ))),
            Ok(Ok(_)) => Ok(self.read_local(&q)),
        }
    }

    fn read_local(&self, q: &Query) -> Response {
        let a = self.applied.read().unwrap_or_else(|p| p.into_inner());
        a.state.query(q)
    }

    /// Send `msg` to the leader `to` and decode its answer.
    async fn forward(&self, to: usize, msg: RaftMessage) -> Result<Response, BookingError> {
        let client = self.peers.client(to).ok_or_else(|| self.not_leader())?;
        let request = Request::Peer {
            from: self.me,
            msg: msg.to_value(),
        };
        let value = client
            .request_with_timeout(&request, FORWARD_TIMEOUT)
            .await
            .map_err(|e| peer_error(to, e))?;
        serde_json::from_value(value).map_err(|e| BookingError::Remote {
            node: to,
            message: format!("unreadable answer to a forwarded request: {e}"),
            definite: false,
        })
    }

    /// Send `msg` to the leader if this node knows one and is not it; otherwise run `here`.
    async fn route(&self, msg: RaftMessage) -> Result<Response, BookingError> {
        match (self.leader(), msg) {
            (Some(l), RaftMessage::Write(cmd)) if l == self.me => self.write_here(cmd).await,
            (Some(l), RaftMessage::Read(q)) if l == self.me => self.read_here(q).await,
            (Some(l), msg) => self.forward(l, msg).await,
            (None, _) => Err(self.not_leader()),
        }
    }
}

#[async_trait::async_trait]
impl Replication for RaftNode {
    async fn write(&self, cmd: Command) -> Result<Response, BookingError> {
        self.route(RaftMessage::Write(cmd)).await
    }

    async fn read(&self, q: Query) -> Result<Response, BookingError> {
        match self.read {
            ReadLevel::One => Ok(self.read_local(&q)),
            ReadLevel::Majority | ReadLevel::All => self.route(RaftMessage::Read(q)).await,
        }
    }

    fn status(&self) -> Status {
        let m = self.raft.metrics().borrow().clone();
        let role = match m.state {
            ServerState::Leader => "leader",
            ServerState::Follower => "follower",
            ServerState::Candidate => "candidate",
            ServerState::Learner => "learner",
            ServerState::Shutdown => "shutdown",
        };
        let a = self.applied.read().unwrap_or_else(|p| p.into_inner());
        Status {
            node: self.me,
            replication: "raft".into(),
            read: self.read.to_string(),
            role: role.into(),
            term: Some(m.current_term),
            leader: m.current_leader.map(|l: NodeId| l as usize),
            applied: a.last_applied.map_or(0, |l| l.index),
            keys: a.state.key_count(),
        }
    }

    async fn peer(&self, from: usize, msg: Value) -> Result<Value, BookingError> {
        let msg: RaftMessage = serde_json::from_value(msg).map_err(|e| {
            BookingError::BadRequest(format!("not a raft message from node {from}: {e}"))
        })?;
        Ok(match msg {
            RaftMessage::AppendEntries(rpc) => to_value(&self.raft.append_entries(rpc).await),
            RaftMessage::Vote(rpc) => to_value(&self.raft.vote(rpc).await),
            RaftMessage::InstallSnapshot(rpc) => to_value(&self.raft.install_snapshot(rpc).await),
            RaftMessage::Write(cmd) => to_value(&self.write_here(cmd).await?),
            RaftMessage::Read(q) => to_value(&self.read_here(q).await?),
        })
    }
}
