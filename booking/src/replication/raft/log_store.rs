//! The `LogStore`: openraft's durable log — the vote, the committed log id and the entries —
//! kept in memory for reads and in a [`Journal`] file for durability.
//!
//! A vote is acknowledged only once synced; appended entries are reported flushed to openraft
//! only once synced, so a node killed with SIGKILL never forgets an entry it counted towards a
//! majority nor a vote it cast. On open the journal is replayed and rewritten compactly.

use super::journal::{Durable, Journal};
use super::types::{Entry, LogId, NodeId, TypeConfig, Vote};
use openraft::storage::{LogFlushed, LogState, RaftLogReader, RaftLogStorage};
use openraft::{StorageError, StorageIOError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io;
use std::ops::RangeBounds;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// One line of the journal.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    Vote(Vote),
    Committed(Option<LogId>),
    Append(Entry),
    /// Delete the entries from this index on.
    Truncate(u64),
    /// Delete the entries up to and including this log id.
    Purge(LogId),
}

/// The log as replayed from the journal.
#[derive(Default)]
struct LogData {
    vote: Option<Vote>,
    committed: Option<LogId>,
    last_purged: Option<LogId>,
    entries: BTreeMap<u64, Entry>,
}

impl LogData {
    fn replay(&mut self, record: Record) {
        match record {
            Record::Vote(v) => self.vote = Some(v),
            Record::Committed(c) => self.committed = c,
            Record::Append(e) => {
                self.entries.insert(e.log_id.index, e);
            }
            Record::Truncate(index) => {
                self.entries.split_off(&index);
            }
            Record::Purge(log_id) => {
                self.entries = self.entries.split_off(&(log_id.index + 1));
                self.last_purged = Some(log_id);
            }
        }
    }

    /// The records that rebuild this state, in order.
    fn records(&self) -> Vec<Record> {
        let mut out = Vec::with_capacity(self.entries.len() + 3);
        if let Some(v) = self.vote {
            out.push(Record::Vote(v));
        }
        if let Some(p) = self.last_purged {
            out.push(Record::Purge(p));
        }
        out.extend(self.entries.values().cloned().map(Record::Append));
        if self.committed.is_some() {
            out.push(Record::Committed(self.committed));
        }
        out
    }
}

/// The durable Raft log of one node (cheap to clone: clones share the same log).
#[derive(Clone)]
pub struct LogStore {
    data: Arc<Mutex<LogData>>,
    journal: Arc<Journal>,
}

fn encode(record: &Record) -> Vec<u8> {
    serde_json::to_vec(record).expect("a raft log record always serialises")
}

impl LogStore {
    /// Opens (or creates) the journal `raft-log.jsonl` in `dir` and replays it.
    pub fn open(dir: &Path) -> io::Result<LogStore> {
        let path = dir.join("raft-log.jsonl");
        let mut data = LogData::default();
        let (journal, _) = Journal::open(&path, |lines| {
            for (i, line) in lines.iter().enumerate() {
                let record: Record = serde_json::from_slice(line).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}:{}: not a raft log record: {e}", path.display(), i + 1),
                    )
                })?;
                data.replay(record);
            }
            Ok(data.records().iter().map(encode).collect())
        })?;
        Ok(LogStore {
            data: Arc::new(Mutex::new(data)),
            journal: Arc::new(journal),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogData> {
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError<NodeId>> {
        Ok(self
            .lock()
            .entries
            .range(range)
            .map(|(_, e)| e.clone())
            .collect())
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError<NodeId>> {
        let data = self.lock();
        let last_log_id = data
            .entries
            .values()
            .next_back()
            .map(|e| e.log_id)
            .or(data.last_purged);
        Ok(LogState {
            last_purged_log_id: data.last_purged,
            last_log_id,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError<NodeId>> {
        self.lock().vote = Some(*vote);
        self.journal
            .append_durably(encode(&Record::Vote(*vote)))
            .await
            .map_err(|e| StorageIOError::write_vote(&e).into())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError<NodeId>> {
        Ok(self.lock().vote)
    }

    async fn save_committed(
        &mut self,
        committed: Option<LogId>,
    ) -> Result<(), StorageError<NodeId>> {
        self.lock().committed = committed;
        self.journal
            .append(encode(&Record::Committed(committed)), Durable::Later);
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError<NodeId>> {
        Ok(self.lock().committed)
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<TypeConfig>,
    ) -> Result<(), StorageError<NodeId>>
    where
        I: IntoIterator<Item = Entry> + Send,
        I::IntoIter: Send,
    {
        let mut lines = Vec::new();
        {
            let mut data = self.lock();
            for e in entries {
                lines.push(encode(&Record::Append(e.clone())));
                data.entries.insert(e.log_id.index, e);
            }
        }
        let last = lines.pop();
        for line in lines {
            self.journal.append(line, Durable::Later);
        }
        match last {
            Some(line) => self.journal.append(line, Durable::Flushed(callback)),
            None => callback.log_io_completed(Ok(())),
        }
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError<NodeId>> {
        self.lock().replay(Record::Truncate(log_id.index));
        self.journal
            .append_durably(encode(&Record::Truncate(log_id.index)))
            .await
            .map_err(|e| StorageIOError::write_logs(&e).into())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError<NodeId>> {
        self.lock().replay(Record::Purge(log_id));
        self.journal
            .append(encode(&Record::Purge(log_id)), Durable::Later);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, Query, Response};
    use crate::replication::raft::state_machine::StateMachineStore;
    use openraft::storage::{RaftLogStorageExt, RaftStateMachine};
    use openraft::testing::{StoreBuilder, Suite};
    use openraft::{CommittedLeaderId, EntryPayload, RaftSnapshotBuilder};
    use std::io::Write;

    struct InTempDir;

    impl StoreBuilder<TypeConfig, LogStore, StateMachineStore, tempfile::TempDir> for InTempDir {
        async fn build(
            &self,
        ) -> Result<(tempfile::TempDir, LogStore, StateMachineStore), StorageError<NodeId>>
        {
            let dir = tempfile::tempdir().expect("temp dir");
            let log = LogStore::open(dir.path()).expect("log store opens");
            let sm = StateMachineStore::open(dir.path()).expect("state machine opens");
            Ok((dir, log, sm))
        }
    }

    #[test]
    fn the_log_store_and_state_machine_pass_openraft_s_storage_suite() {
        Suite::test_all(InTempDir).unwrap();
    }

    fn entry(term: u64, index: u64, room: &str) -> Entry {
        Entry {
            log_id: LogId::new(CommittedLeaderId::new(term, 0), index),
            payload: EntryPayload::Normal(vec![Command::Book {
                room: room.into(),
                guest: "ann".into(),
            }]),
        }
    }

    #[tokio::test]
    async fn a_reopened_log_has_its_vote_entries_and_committed_id_and_drops_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut log = LogStore::open(dir.path()).unwrap();
            log.save_vote(&Vote::new(3, 1)).await.unwrap();
            let entries = (1..=5).map(|i| entry(3, i, &format!("r{i}")));
            log.blocking_append(entries).await.unwrap();
            log.truncate(LogId::new(CommittedLeaderId::new(3, 0), 4))
                .await
                .unwrap();
            log.save_committed(Some(LogId::new(CommittedLeaderId::new(3, 0), 2)))
                .await
                .unwrap();
            log.blocking_append([entry(4, 4, "r4b")]).await.unwrap();
        }
        // A crash in the middle of a write leaves half a line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("raft-log.jsonl"))
            .unwrap();
        f.write_all(b"{\"append\":{\"log_id\"").unwrap();
        drop(f);
        let mut log = LogStore::open(dir.path()).unwrap();
        assert_eq!(log.read_vote().await.unwrap(), Some(Vote::new(3, 1)));
        assert_eq!(
            log.read_committed().await.unwrap().map(|l| l.index),
            Some(2)
        );
        let got = log.try_get_log_entries(0..10).await.unwrap();
        let ids: Vec<(u64, u64)> = got
            .iter()
            .map(|e| (e.log_id.leader_id.term, e.log_id.index))
            .collect();
        assert_eq!(ids, vec![(3, 1), (3, 2), (3, 3), (4, 4)]);
        let state = log.get_log_state().await.unwrap();
        assert_eq!(state.last_log_id.map(|l| l.index), Some(4));
    }

    #[tokio::test]
    async fn a_snapshot_installed_on_another_node_answers_the_same_queries() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut sm = StateMachineStore::open(a.path()).unwrap();
        let out = sm
            .apply([entry(1, 1, "101"), entry(1, 2, "101")])
            .await
            .unwrap();
        assert_eq!(
            out[1],
            vec![Response::Booked {
                booked: false,
                holders: vec!["ann".into()]
            }]
        );
        let snap = sm
            .get_snapshot_builder()
            .await
            .build_snapshot()
            .await
            .unwrap();
        let mut other = StateMachineStore::open(b.path()).unwrap();
        other
            .install_snapshot(&snap.meta, snap.snapshot)
            .await
            .unwrap();
        // And it survives a restart of that node.
        let reopened = StateMachineStore::open(b.path()).unwrap();
        let applied = reopened.applied();
        let applied = applied.read().unwrap();
        assert_eq!(applied.last_applied.map(|l| l.index), Some(2));
        assert_eq!(
            applied
                .state
                .query(&Query::Available { room: "101".into() }),
            Response::Availability {
                free: false,
                holders: vec!["ann".into()]
            }
        );
    }
}
