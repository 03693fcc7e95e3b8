//! Streaming reader of rift's native JSONL histories.

use crate::{Header, HistoryError, Location, Op, FORMAT_VERSION};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Reads a JSONL history one line at a time: the header when created, then one
/// `Result<Op, HistoryError>` per op line. The text is never held whole in memory; one line buffer
/// is reused for every line.
///
/// A first line without `"rift_history"` is read as an op (a history without a header gets the
/// default header). Blank lines are skipped. After an error the iterator ends.
pub struct JsonlReader<R: BufRead> {
    input: R,
    buf: Vec<u8>,
    line: u32,
    header: Header,
    file: Option<PathBuf>,
    first_op: Option<Op>,
    finished: bool,
}

impl JsonlReader<BufReader<File>> {
    /// Opens `path` and reads its header; errors name the file.
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        let file = File::open(path).map_err(|source| HistoryError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        JsonlReader::with_file(
            BufReader::with_capacity(1 << 16, file),
            Some(path.to_path_buf()),
        )
    }
}

impl<R: BufRead> JsonlReader<R> {
    /// Reads the header from `input`.
    pub fn new(input: R) -> Result<Self, HistoryError> {
        JsonlReader::with_file(input, None)
    }

    /// Reads the header from `input`, which was opened from `file` (named in errors).
    pub fn with_file(input: R, file: Option<PathBuf>) -> Result<Self, HistoryError> {
        let mut reader = JsonlReader {
            input,
            buf: Vec::with_capacity(256),
            line: 0,
            header: Header::default(),
            file,
            first_op: None,
            finished: false,
        };
        reader.read_header()?;
        Ok(reader)
    }

    /// The history's header (the default one when the input had none).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The line (from 1) of the op last returned.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The file being read, if known.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    fn read_header(&mut self) -> Result<(), HistoryError> {
        if !self.next_line()? {
            self.finished = true;
            return Ok(());
        }
        let line = trim_newline(&self.buf);
        if !contains(line, b"\"rift_history\"") {
            self.first_op = Some(self.parse_op()?);
            return Ok(());
        }
        let header: Header = serde_json::from_slice(line)
            .map_err(|e| self.json_error(&e, "expected the header {\"rift_history\":1, ...}"))?;
        if header.rift_history != FORMAT_VERSION {
            return Err(HistoryError::Syntax {
                at: self.location(0),
                message: format!(
                    "history format version {} is not supported; this rift reads version {FORMAT_VERSION}",
                    header.rift_history
                ),
            });
        }
        self.header = header;
        Ok(())
    }

    /// Reads the next non-blank line into `buf`; false at the end of the input.
    fn next_line(&mut self) -> Result<bool, HistoryError> {
        loop {
            self.buf.clear();
            let n = self
                .input
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| HistoryError::Io {
                    path: self
                        .file
                        .clone()
                        .unwrap_or_else(|| PathBuf::from("<input>")),
                    source,
                })?;
            if n == 0 {
                return Ok(false);
            }
            self.line += 1;
            if !trim_newline(&self.buf).iter().all(u8::is_ascii_whitespace) {
                return Ok(true);
            }
        }
    }

    fn parse_op(&self) -> Result<Op, HistoryError> {
        serde_json::from_slice(trim_newline(&self.buf)).map_err(|e| {
            self.json_error(
                &e,
                "expected an op {\"index\":..,\"time\":..,\"process\":..,\"type\":..,\"f\":..,\"value\":..}",
            )
        })
    }

    fn location(&self, column: usize) -> Location {
        Location {
            file: self.file.clone(),
            line: self.line as usize,
            column,
        }
    }

    fn json_error(&self, e: &serde_json::Error, expected: &str) -> HistoryError {
        let detail = e.to_string();
        let detail = match detail.rfind(" at line ") {
            Some(cut) => &detail[..cut],
            None => &detail,
        };
        HistoryError::Syntax {
            at: self.location(e.column().max(1)),
            message: format!("{expected}: {detail}"),
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Op, HistoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(op) = self.first_op.take() {
            return Some(Ok(op));
        }
        if self.finished {
            return None;
        }
        let result = match self.next_line() {
            Ok(true) => self.parse_op(),
            Ok(false) => {
                self.finished = true;
                return None;
            }
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.finished = true;
        }
        Some(result)
    }
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
