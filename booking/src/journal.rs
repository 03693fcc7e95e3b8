//! The `Journal`: an append-only file of JSON lines in the data directory, one record per state
//! change, replayed at start. A torn last line (the process was killed mid-write) is cut off; a
//! damaged complete line is an error.

use crate::error::BookingError;
use crate::machine::Update;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// Whether a record is forced to disk before the write it records is acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `fsync` (fdatasync) every record: survives power loss.
    Fsync,
    /// Hand every record to the kernel with `write(2)` before acknowledging: survives the
    /// process being killed (SIGKILL), not a machine crash.
    Written,
}

/// One journal line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// A strategy-defined position reached with this record (a log index, a stream sequence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<u64>,
    /// The changed cells.
    pub updates: Vec<Update>,
}

/// The open journal file.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    durability: Durability,
}

/// File name of the journal inside the data directory.
pub const JOURNAL_FILE: &str = "journal.jsonl";

impl Journal {
    /// Open (creating if needed) the journal in `dir`, returning it and every record in it.
    pub fn open(
        dir: &Path,
        durability: Durability,
    ) -> Result<(Journal, Vec<Record>), BookingError> {
        let path = dir.join(JOURNAL_FILE);
        let io = |source| BookingError::Journal {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io)?;
        let mut records = Vec::new();
        let mut good_len = 0u64;
        let mut reader = BufReader::new(&mut file);
        let mut line = Vec::new();
        let mut number = 0;
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(io)?;
            if n == 0 || line.last() != Some(&b'\n') {
                break;
            }
            number += 1;
            let record: Record =
                serde_json::from_slice(&line).map_err(|e| BookingError::CorruptJournal {
                    path: path.clone(),
                    line: number,
                    reason: e.to_string(),
                })?;
            records.push(record);
            good_len += n as u64;
        }
        drop(reader);
        file.set_len(good_len).map_err(io)?;
        Ok((
            Journal {
                path,
                file,
                durability,
            },
            records,
        ))
    }

    /// Append `record`, durably as promised, before returning.
    pub fn append(&mut self, record: &Record) -> Result<(), BookingError> {
        let mut line = serde_json::to_vec(record).expect("journal records serialise");
        line.push(b'\n');
        let io = |source| BookingError::Journal {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&line).map_err(io)?;
        if self.durability == Durability::Fsync {
            self.file.sync_data().map_err(io)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_cut_off_and_earlier_records_replay() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut j, r) = Journal::open(dir.path(), Durability::Fsync).unwrap();
            assert!(r.is_empty());
            j.append(&Record {
                mark: Some(1),
                updates: vec![],
            })
            .unwrap();
        }
        let path = dir.path().join(JOURNAL_FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"mark\":2,\"upd").unwrap();
        let (mut j, r) = Journal::open(dir.path(), Durability::Fsync).unwrap();
        assert_eq!(
            r,
            vec![Record {
                mark: Some(1),
                updates: vec![]
            }]
        );
        j.append(&Record {
            mark: Some(3),
            updates: vec![],
        })
        .unwrap();
        let (_, r) = Journal::open(dir.path(), Durability::Fsync).unwrap();
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn a_damaged_complete_line_is_reported_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(JOURNAL_FILE),
            "{\"updates\":[]}\nnot json\n",
        )
        .unwrap();
        let e = Journal::open(dir.path(), Durability::Fsync).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
