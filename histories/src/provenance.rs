//! Provenance: where a history's ops were read from, so that errors found after parsing (an ok
//! without an invoke, a second invoke, ...) can still name the file and line of the op.

use crate::Location;
use std::path::PathBuf;

/// The file a history was read from and the line each of its ops started on.
///
/// Empty (the default) for histories built in memory. Provenance is not part of a history's
/// identity: two histories with the same header and ops are equal wherever they came from.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// The file, when the history was read from one.
    pub file: Option<PathBuf>,
    /// `lines[i]` is the line (from 1) on which `ops[i]` starts; empty when unknown.
    pub lines: Vec<u32>,
    /// A JSONL history's last line when it was cut short (no newline, not a whole op: the
    /// writer was killed in the middle of an append) and so is not among the ops.
    pub cut_short: Option<u32>,
}

impl Provenance {
    /// The location of the op at `position` in [`crate::History::ops`]: file and line when known
    /// (column 0: the whole op), otherwise an empty location.
    pub fn locate(&self, position: usize) -> Location {
        Location {
            file: self.file.clone(),
            line: self.lines.get(position).map_or(0, |&l| l as usize),
            column: 0,
        }
    }
}
