//! The `Store`: a node's [`StateMachine`] kept durable by its [`Journal`]. Every change is
//! journalled before the call that made it returns, and the journal is replayed at open.

use crate::cell::{Resolution, Version};
use crate::command::{Command, Response};
use crate::error::BookingError;
use crate::journal::{Durability, Journal, Record};
use crate::machine::{Applied, StateMachine, Update};
use std::path::Path;

/// A durable state machine.
#[derive(Debug)]
pub struct Store {
    machine: StateMachine,
    journal: Journal,
    mark: Option<u64>,
}

impl Store {
    /// Open the store of node `node` in `dir`, replaying its journal.
    pub fn open(
        dir: &Path,
        node: u32,
        resolution: Resolution,
        durability: Durability,
    ) -> Result<Store, BookingError> {
        let (journal, records) = Journal::open(dir, durability)?;
        let mut machine = StateMachine::new(node, resolution);
        let mut mark = None;
        for r in &records {
            machine.merge(&r.updates);
            mark = r.mark.or(mark);
        }
        Ok(Store {
            machine,
            journal,
            mark,
        })
    }

    /// The state.
    pub fn machine(&self) -> &StateMachine {
        &self.machine
    }

    /// The last strategy-defined position journalled (see [`Store::apply_at`]).
    pub fn mark(&self) -> Option<u64> {
        self.mark
    }

    /// Execute `cmd` with writes stamped `version`, journalling its changes.
    pub fn execute(&mut self, cmd: &Command, version: Version) -> Result<Applied, BookingError> {
        let applied = self.machine.execute(cmd, version);
        if !applied.updates.is_empty() {
            self.journal.append(&Record {
                mark: None,
                updates: applied.updates.clone(),
            })?;
        }
        Ok(applied)
    }

    /// For totally ordered strategies: apply `cmd` as the entry at position `mark` (e.g. a log
    /// index), journalling its changes together with the mark, which [`Store::mark`] returns
    /// after a restart. Entries at or below the current mark are skipped (already applied) and
    /// answered with `None`.
    pub fn apply_at(&mut self, cmd: &Command, mark: u64) -> Result<Option<Response>, BookingError> {
        if self.mark.is_some_and(|m| mark <= m) {
            return Ok(None);
        }
        let version = Version {
            stamp: mark,
            node: 0,
        };
        let applied = self.machine.execute(cmd, version);
        self.journal.append(&Record {
            mark: Some(mark),
            updates: applied.updates,
        })?;
        self.mark = Some(mark);
        Ok(Some(applied.response))
    }

    /// Merge updates from another replica, journalling what changed; returns how many cells
    /// changed.
    pub fn merge(&mut self, updates: &[Update]) -> Result<usize, BookingError> {
        let changed = self.machine.merge(updates);
        if !changed.is_empty() {
            self.journal.append(&Record {
                mark: None,
                updates: changed.clone(),
            })?;
        }
        Ok(changed.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Query;

    #[test]
    fn a_reopened_store_has_every_journalled_booking() {
        let dir = tempfile::tempdir().unwrap();
        let book = Command::Book {
            room: "1".into(),
            guest: "ann".into(),
        };
        {
            let mut s =
                Store::open(dir.path(), 0, Resolution::LastWriterWins, Durability::Fsync).unwrap();
            s.execute(&book, Version { stamp: 1, node: 0 }).unwrap();
        }
        let s = Store::open(dir.path(), 0, Resolution::LastWriterWins, Durability::Fsync).unwrap();
        assert_eq!(
            s.machine().query(&Query::Available { room: "1".into() }),
            Response::Availability {
                free: false,
                holders: vec!["ann".into()]
            }
        );
        assert_eq!(s.machine().next_stamp(), 2);
    }

    #[test]
    fn apply_at_skips_entries_already_applied_before_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let w = |v: i64| Command::Write {
            key: "x".into(),
            value: v.into(),
        };
        {
            let mut s =
                Store::open(dir.path(), 0, Resolution::LastWriterWins, Durability::Fsync).unwrap();
            assert!(s.apply_at(&w(1), 1).unwrap().is_some());
            assert!(s.apply_at(&w(2), 2).unwrap().is_some());
        }
        let mut s =
            Store::open(dir.path(), 0, Resolution::LastWriterWins, Durability::Fsync).unwrap();
        assert_eq!(s.mark(), Some(2));
        assert!(s.apply_at(&w(2), 2).unwrap().is_none());
        assert!(s.apply_at(&w(3), 3).unwrap().is_some());
    }
}
