//! The one error type of this crate.

use std::fmt;
use std::path::PathBuf;

/// Where in an input something went wrong: file, line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file, when the input came from one.
    pub file: Option<PathBuf>,
    /// Line, from 1; 0 when unknown.
    pub line: usize,
    /// Column, from 1; 0 when unknown.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(p) => write!(f, "{}", p.display())?,
            None => f.write_str("<input>")?,
        }
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong reading, pairing or writing a history.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The input is not well-formed in its format.
    #[error("{at}: {message}")]
    Syntax {
        /// Where.
        at: Location,
        /// What was expected and what was found.
        message: String,
    },
    /// A completion (ok, fail or info) with no open invocation on its process.
    #[error("{at}: {kind} by process {process} (index {index}) has no open invocation")]
    CompletionWithoutInvoke {
        /// Where.
        at: Location,
        /// The completion's type.
        kind: crate::OpType,
        /// The process.
        process: crate::Process,
        /// The op's index.
        index: u64,
    },
    /// An invocation on a process that already has an open call.
    #[error("{at}: process {process} invokes again (index {index}) while its call from index {open} is still open")]
    DoubleInvoke {
        /// Where.
        at: Location,
        /// The process.
        process: crate::Process,
        /// The second invocation's index.
        index: u64,
        /// The open invocation's index.
        open: u64,
    },
    /// An invocation on a process whose earlier call ended in info: Jepsen never reuses it.
    #[error("{at}: process {process} invokes again (index {index}) after its call from index {info} ended in info; a process is never reused after an info")]
    InvokeAfterInfo {
        /// Where.
        at: Location,
        /// The process.
        process: crate::Process,
        /// The new invocation's index.
        index: u64,
        /// The info completion's index.
        info: u64,
    },
    /// A completion whose f differs from its invocation's.
    #[error("{at}: {kind} {got} by process {process} (index {index}) completes an invocation of {expected}")]
    MismatchedCompletion {
        /// Where.
        at: Location,
        /// The completion's type.
        kind: crate::OpType,
        /// The process.
        process: crate::Process,
        /// The completion's index.
        index: u64,
        /// The invocation's f.
        expected: String,
        /// The completion's f.
        got: String,
    },
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl HistoryError {
    /// The location this error points at, if it has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            HistoryError::Syntax { at, .. }
            | HistoryError::CompletionWithoutInvoke { at, .. }
            | HistoryError::DoubleInvoke { at, .. }
            | HistoryError::InvokeAfterInfo { at, .. }
            | HistoryError::MismatchedCompletion { at, .. } => Some(at),
            HistoryError::Io { .. } => None,
        }
    }

    /// This error with `file` as the file of its location, when the location names none yet.
    pub fn in_file(mut self, file: &std::path::Path) -> HistoryError {
        if let HistoryError::Syntax { at, .. }
        | HistoryError::CompletionWithoutInvoke { at, .. }
        | HistoryError::DoubleInvoke { at, .. }
        | HistoryError::InvokeAfterInfo { at, .. }
        | HistoryError::MismatchedCompletion { at, .. } = &mut self
        {
            if at.file.is_none() {
                at.file = Some(file.to_path_buf());
            }
        }
        self
    }
}
