//! Streaming writer of rift's native JSONL histories.

use crate::{Header, History, HistoryError, Op};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes a JSONL history: the header line when created, then one line per op. Output is
/// buffered; call [`JsonlWriter::flush`] to push it to the underlying writer (e.g. after every
/// batch of ops during a run, so that a crash loses little).
pub struct JsonlWriter<W: Write> {
    out: BufWriter<W>,
    target: PathBuf,
}

impl JsonlWriter<File> {
    /// Creates (or truncates) `path` and writes the header; errors name the file.
    pub fn create(path: &Path, header: &Header) -> Result<Self, HistoryError> {
        let file = File::create(path).map_err(|source| HistoryError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        JsonlWriter::with_target(file, header, path.to_path_buf())
    }
}

impl<W: Write> JsonlWriter<W> {
    /// Writes the header to `out`.
    pub fn new(out: W, header: &Header) -> Result<Self, HistoryError> {
        JsonlWriter::with_target(out, header, PathBuf::from("<output>"))
    }

    /// Writes the header to `out`, which is the file `target` (named in errors).
    pub fn with_target(out: W, header: &Header, target: PathBuf) -> Result<Self, HistoryError> {
        let mut writer = JsonlWriter {
            out: BufWriter::with_capacity(1 << 16, out),
            target,
        };
        writer.line(header)?;
        Ok(writer)
    }

    /// Appends one op as one line.
    pub fn write_op(&mut self, op: &Op) -> Result<(), HistoryError> {
        self.line(op)
    }

    /// Pushes everything written so far to the underlying writer and flushes it.
    pub fn flush(&mut self) -> Result<(), HistoryError> {
        self.out.flush().map_err(|e| self.io(e))
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> Result<W, HistoryError> {
        self.flush()?;
        let target = self.target;
        self.out.into_inner().map_err(|e| HistoryError::Io {
            path: target,
            source: e.into_error(),
        })
    }

    fn line<T: serde::Serialize>(&mut self, item: &T) -> Result<(), HistoryError> {
        serde_json::to_writer(&mut self.out, item).map_err(|e| self.io(e.into()))?;
        self.out.write_all(b"\n").map_err(|e| self.io(e))
    }

    fn io(&self, source: std::io::Error) -> HistoryError {
        HistoryError::Io {
            path: self.target.clone(),
            source,
        }
    }
}

/// Writes `h` as JSONL to `w`: its header, then its ops.
pub fn write_jsonl<W: Write>(w: W, h: &History) -> Result<(), HistoryError> {
    let mut writer = JsonlWriter::new(w, &h.header)?;
    for op in &h.ops {
        writer.write_op(op)?;
    }
    writer.flush()
}
