//! The `Proposer`: the leader's batching of client commands into Raft log entries.
//!
//! openraft 0.9 makes a leader flush each appended entry before it appends the next, so one
//! entry per command caps writes at one fsync each. The proposer keeps one proposal in flight:
//! the commands that arrive meanwhile wait in a queue and go out together as the next entry (at
//! most [`MAX_BATCH`]), each answered with its own response once the entry is applied.

use super::types::Raft;
use crate::command::{Command, Response};
use crate::error::BookingError;
use openraft::error::{ClientWriteError, RaftError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Most commands in one log entry.
pub const MAX_BATCH: usize = 512;

type Answer = oneshot::Sender<Result<Response, BookingError>>;

/// Handle to the proposing task of one node.
pub struct Proposer {
    tx: mpsc::UnboundedSender<(Command, Answer)>,
}

impl Proposer {
    /// Starts the proposing task of node `me`; each proposal waits at most `timeout`.
    pub fn start(me: usize, raft: Raft, timeout: Duration) -> Proposer {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(propose_loop(me, raft, timeout, rx));
        Proposer { tx }
    }

    /// Queues `cmd` for the next proposal; the answer comes once its entry is applied or failed.
    pub fn propose(&self, cmd: Command) -> oneshot::Receiver<Result<Response, BookingError>> {
        let (tx, rx) = oneshot::channel();
        // If the task is gone the sender is dropped and the caller sees a closed channel.
        let _ = self.tx.send((cmd, tx));
        rx
    }
}

async fn propose_loop(
    me: usize,
    raft: Raft,
    timeout: Duration,
    mut rx: mpsc::UnboundedReceiver<(Command, Answer)>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (commands, answers): (Vec<Command>, Vec<Answer>) = batch.into_iter().unzip();
        match tokio::time::timeout(timeout, raft.client_write(commands)).await {
            Ok(Ok(done)) if done.data.len() == answers.len() => {
                for (answer, response) in answers.into_iter().zip(done.data) {
                    let _ = answer.send(Ok(response));
                }
            }
            outcome => {
                let failure = Failure::of(me, &outcome);
                for answer in answers {
                    let _ = answer.send(Err(failure.to_error(me, timeout)));
                }
            }
        }
    }
}

type Outcome = Result<
    Result<
        openraft::raft::ClientWriteResponse<super::types::TypeConfig>,
        RaftError<u64, ClientWriteError<u64, openraft::BasicNode>>,
    >,
    tokio::time::error::Elapsed,
>;

/// Why a proposal did not produce its responses. Every case is indefinite: the entry may have
/// been appended and may still commit.
enum Failure {
    /// No outcome within the proposal timeout.
    Timeout,
    /// Anything else, explained.
    Other(String),
}

impl Failure {
    fn of(me: usize, outcome: &Outcome) -> Failure {
        Failure::Other(match outcome {
            Err(_) => return Failure::Timeout,
            Ok(Ok(done)) => format!(
                "node {me}: log entry {} applied with the wrong number of responses",
                done.log_id
            ),
            // The leader stepped down after appending the entry; another node may still hold
            // it and commit it.
            Ok(Err(RaftError::APIError(ClientWriteError::ForwardToLeader(f)))) => format!(
                "node {me} lost raft leadership (leader now {:?}) before the write committed; \
                 it may still commit",
                f.leader_id
            ),
            Ok(Err(e)) => format!("node {me}: raft: {e}"),
        })
    }

    fn to_error(&self, me: usize, timeout: Duration) -> BookingError {
        match self {
            Failure::Timeout => BookingError::Timeout {
                node: me,
                millis: timeout.as_millis() as u64,
            },
            Failure::Other(message) => BookingError::Strategy {
                message: message.clone(),
                definite: false,
            },
        }
    }
}
