//! Integration tests of the `histories` crate.
//!
//! - `corpora`: every third-party history under ../shared/corpora parses, in the detected format,
//!   with the op counts its EXPECTED.tsv gives, and pairs into calls.
//! - `round_trips`: JSONL and EDN export read back to the same history.
//! - `located_errors`: bad input names file, line and column and what was expected.
//! - `garbage`: truncated and garbled input gives an error or a history, never a panic.
//! - `serde_agreement`: the JSONL reader's fast path reads every op line as serde does.

mod corpora;
mod garbage;
mod located_errors;
mod round_trips;
mod serde_agreement;

use std::path::{Path, PathBuf};

/// The shared corpora directory.
pub fn corpora_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpora")).to_path_buf()
}

/// Every file under `dir` whose name ends with one of `extensions`, sorted.
pub fn files_under(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("corpus directory is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if extensions
                .iter()
                .any(|e| path.extension().is_some_and(|x| x == *e))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
