//! The `StateMachineStore`: the booking state as Raft applies committed entries to it, and its
//! snapshots, persisted in `raft-snapshot.json` (written to a temporary file, synced, renamed).
//!
//! The applied state itself lives in memory: after a restart it is the last snapshot plus the
//! committed entries openraft re-applies from the durable log. Every replica runs the machine as
//! node 0, so all replicas hold identical cells. A snapshot is the list of every cell
//! ([`Update`]s), which a fresh machine merges back.

use super::journal::rewrite;
use super::types::{LogId, Node, NodeId, TypeConfig};
use crate::cell::Resolution;
use crate::command::Response;
use crate::machine::{StateMachine, Update};
use openraft::storage::{RaftStateMachine, Snapshot};
use openraft::{
    EntryPayload, RaftSnapshotBuilder, SnapshotMeta, StorageError, StorageIOError, StoredMembership,
};
use serde::{Deserialize, Serialize};
use std::io::{self, Cursor};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// The state as applied up to `last_applied`, shared with the replication's read path.
pub struct Applied {
    /// The last log entry applied.
    pub last_applied: Option<LogId>,
    /// The last membership applied.
    pub membership: StoredMembership<NodeId, Node>,
    /// The booking state.
    pub state: StateMachine,
}

/// A machine as every raft replica runs it.
fn fresh_machine() -> StateMachine {
    StateMachine::new(0, Resolution::LastWriterWins)
}

/// The machine holding exactly the cells of `updates`.
fn machine_from(updates: &[Update]) -> StateMachine {
    let mut m = fresh_machine();
    m.merge(updates);
    m
}

/// Every cell of `m`.
fn cells_of(m: &StateMachine) -> Vec<Update> {
    m.changes_since(0, usize::MAX).0
}

/// A snapshot as stored on disk.
#[derive(Serialize, Deserialize)]
struct StoredSnapshot {
    meta: SnapshotMeta<NodeId, Node>,
    cells: Vec<Update>,
}

/// Openraft's state machine over the shared [`Applied`] state.
#[derive(Clone)]
pub struct StateMachineStore {
    applied: Arc<RwLock<Applied>>,
    current: Arc<Mutex<Option<StoredSnapshot>>>,
    path: PathBuf,
}

fn io_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl StateMachineStore {
    /// Opens the state machine of the node whose data directory is `dir`, starting from the
    /// snapshot stored there, if any.
    pub fn open(dir: &Path) -> io::Result<StateMachineStore> {
        let path = dir.join("raft-snapshot.json");
        let mut applied = Applied {
            last_applied: None,
            membership: StoredMembership::default(),
            state: fresh_machine(),
        };
        let current = if path.exists() {
            let bytes = std::fs::read(&path)?;
            let snap: StoredSnapshot = serde_json::from_slice(&bytes).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: not a raft snapshot: {e}", path.display()),
                )
            })?;
            applied.last_applied = snap.meta.last_log_id;
            applied.membership = snap.meta.last_membership.clone();
            applied.state = machine_from(&snap.cells);
            Some(snap)
        } else {
            None
        };
        Ok(StateMachineStore {
            applied: Arc::new(RwLock::new(applied)),
            current: Arc::new(Mutex::new(current)),
            path,
        })
    }

    /// The applied state, for reads.
    pub fn applied(&self) -> Arc<RwLock<Applied>> {
        self.applied.clone()
    }

    fn store(&self, snap: StoredSnapshot) -> io::Result<()> {
        let line = serde_json::to_vec(&snap).map_err(io_err)?;
        rewrite(&self.path, &[line])?;
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(snap);
        Ok(())
    }
}

fn to_snapshot(s: &StoredSnapshot) -> io::Result<Snapshot<TypeConfig>> {
    Ok(Snapshot {
        meta: s.meta.clone(),
        snapshot: Box::new(Cursor::new(serde_json::to_vec(&s.cells).map_err(io_err)?)),
    })
}

impl RaftSnapshotBuilder<TypeConfig> for StateMachineStore {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError<NodeId>> {
        let snap = {
            let a = self.applied.read().unwrap_or_else(|p| p.into_inner());
            let id = match a.last_applied {
                Some(l) => format!("{}-{}", l.leader_id.term, l.index),
                None => "empty".to_string(),
            };
            StoredSnapshot {
                meta: SnapshotMeta {
                    last_log_id: a.last_applied,
                    last_membership: a.membership.clone(),
                    snapshot_id: id,
                },
                cells: cells_of(&a.state),
            }
        };
        let out = to_snapshot(&snap).map_err(|e| StorageIOError::write_snapshot(None, &e))?;
        self.store(snap)
            .map_err(|e| StorageIOError::write_snapshot(None, &e))?;
        Ok(out)
    }
}

impl RaftStateMachine<TypeConfig> for StateMachineStore {
    type SnapshotBuilder = StateMachineStore;

    async fn applied_state(
        &mut self,
    ) -> Result<(Option<LogId>, StoredMembership<NodeId, Node>), StorageError<NodeId>> {
        let a = self.applied.read().unwrap_or_else(|p| p.into_inner());
        Ok((a.last_applied, a.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Vec<Response>>, StorageError<NodeId>>
    where
        I: IntoIterator<Item = super::types::Entry> + Send,
        I::IntoIter: Send,
    {
        let mut a = self.applied.write().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        for entry in entries {
            a.last_applied = Some(entry.log_id);
            out.push(match entry.payload {
                EntryPayload::Blank => Vec::new(),
                EntryPayload::Normal(batch) => batch.iter().map(|c| a.state.apply(c)).collect(),
                EntryPayload::Membership(m) => {
                    a.membership = StoredMembership::new(Some(entry.log_id), m);
                    Vec::new()
                }
            });
        }
        Ok(out)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.clone()
    }

    async fn begin_receiving_snapshot(
        &mut self,
    ) -> Result<Box<Cursor<Vec<u8>>>, StorageError<NodeId>> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<NodeId, Node>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError<NodeId>> {
        let cells: Vec<Update> = serde_json::from_slice(snapshot.get_ref())
            .map_err(|e| StorageIOError::read_snapshot(Some(meta.signature()), &e))?;
        {
            let mut a = self.applied.write().unwrap_or_else(|p| p.into_inner());
            a.last_applied = meta.last_log_id;
            a.membership = meta.last_membership.clone();
            a.state = machine_from(&cells);
        }
        self.store(StoredSnapshot {
            meta: meta.clone(),
            cells,
        })
        .map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e).into())
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<Snapshot<TypeConfig>>, StorageError<NodeId>> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        match current.as_ref() {
            Some(s) => Ok(Some(
                to_snapshot(s).map_err(|e| StorageIOError::read_snapshot(None, &e))?,
            )),
            None => Ok(None),
        }
    }
}
