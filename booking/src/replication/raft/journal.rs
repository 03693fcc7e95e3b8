//! The `Journal`: an append-only file of JSON lines written by one background thread that
//! batches records and makes each batch durable with one `fdatasync` (group commit).
//!
//! Callers queue a record and say what to do once it is on disk: call openraft's
//! [`LogFlushed`] callback, wake a waiting task, or nothing (the record rides with the next sync).
//! Records are written in the order they were queued, so replaying the file rebuilds the same
//! state the writer saw.

use super::types::TypeConfig;
use openraft::storage::LogFlushed;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use tokio::sync::{mpsc, oneshot};

/// What to do once a queued record is durable.
pub enum Durable {
    /// Tell openraft the log entries are flushed.
    Flushed(LogFlushed<TypeConfig>),
    /// Wake the task waiting on this channel.
    Notify(oneshot::Sender<io::Result<()>>),
    /// Nothing: the record becomes durable with the next batch.
    Later,
}

struct Job {
    line: Vec<u8>,
    durable: Durable,
}

/// Handle to the journal's writer thread.
pub struct Journal {
    tx: mpsc::UnboundedSender<Job>,
}

impl Journal {
    /// Reads every complete line of the journal at `path` (a torn last line, left by a crash in
    /// the middle of a write, is dropped), then rewrites the file to hold exactly `compacted(lines)`
    /// and starts the writer thread appending to it.
    pub fn open<F>(path: &Path, compacted: F) -> io::Result<(Journal, Vec<Vec<u8>>)>
    where
        F: FnOnce(Vec<Vec<u8>>) -> io::Result<Vec<Vec<u8>>>,
    {
        let mut lines = Vec::new();
        if path.exists() {
            let mut reader = BufReader::new(File::open(path)?);
            loop {
                let mut line = Vec::new();
                let n = reader.read_until(b'\n', &mut line)?;
                if n == 0 || line.last() != Some(&b'\n') {
                    break;
                }
                line.pop();
                lines.push(line);
            }
        }
        let lines = compacted(lines)?;
        rewrite(path, &lines)?;
        let file = OpenOptions::new().append(true).open(path)?;
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("raft-journal".into())
            .spawn(move || write_loop(file, rx))?;
        Ok((Journal { tx }, lines))
    }

    /// Queues one record (a line without its newline).
    pub fn append(&self, line: Vec<u8>, durable: Durable) {
        if let Err(mpsc::error::SendError(job)) = self.tx.send(Job { line, durable }) {
            complete(
                job.durable,
                Err(io::Error::other("the journal writer has stopped")),
            );
        }
    }

    /// Queues one record and waits until it is on disk.
    pub async fn append_durably(&self, line: Vec<u8>) -> io::Result<()> {
        let (tx, rx) = oneshot::channel();
        self.append(line, Durable::Notify(tx));
        rx.await
            .unwrap_or_else(|_| Err(io::Error::other("the journal writer has stopped")))
    }
}

/// Writes `lines` to a temporary file, syncs it and renames it over `path`.
pub fn rewrite(path: &Path, lines: &[Vec<u8>]) -> io::Result<()> {
    let tmp: PathBuf = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp)?;
        let mut buf = Vec::new();
        for l in lines {
            buf.extend_from_slice(l);
            buf.push(b'\n');
        }
        f.write_all(&buf)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn complete(durable: Durable, result: io::Result<()>) {
    match durable {
        Durable::Flushed(cb) => cb.log_io_completed(result),
        Durable::Notify(tx) => {
            let _ = tx.send(result);
        }
        Durable::Later => {}
    }
}

/// Bounded batch size so one sync never waits on an unbounded backlog.
const MAX_BATCH: usize = 1024;

fn write_loop(mut file: File, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut buf = Vec::new();
        for job in &batch {
            buf.extend_from_slice(&job.line);
            buf.push(b'\n');
        }
        let result = file.write_all(&buf).and_then(|_| file.sync_data());
        for job in batch {
            let r = match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
            };
            complete(job.durable, r);
        }
    }
}
