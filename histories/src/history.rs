//! A history: the header and the ordered ops of one run.

use crate::{Op, OpType, Process, Provenance};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The version of rift's native JSONL history format written in every header.
pub const FORMAT_VERSION: u32 = 1;

/// The first line of a native history: the format version and free-form metadata (model, seed,
/// test name, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT_VERSION`] when written by this version of rift.
    pub rift_history: u32,
    /// Anything else worth keeping with the history.
    #[serde(flatten, default)]
    pub meta: Map<String, Value>,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            rift_history: FORMAT_VERSION,
            meta: Map::new(),
        }
    }
}

/// The ordered ops of one run, with its header.
///
/// Equality compares the header and the ops only, not the provenance.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Metadata.
    pub header: Header,
    /// Every op, in the order they happened.
    pub ops: Vec<Op>,
    /// Where the ops were read from (file and line of each op), used to locate errors; empty for
    /// histories built in memory.
    pub provenance: Provenance,
}

impl PartialEq for History {
    fn eq(&self, other: &History) -> bool {
        self.header == other.header && self.ops == other.ops
    }
}

impl History {
    /// A history of these ops with an empty header.
    pub fn from_ops(ops: Vec<Op>) -> History {
        History {
            header: Header::default(),
            ops,
            provenance: Provenance::default(),
        }
    }

    /// Number of ops.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when there are no ops.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The ops of client processes (not the nemesis).
    pub fn client_ops(&self) -> impl Iterator<Item = &Op> {
        self.ops.iter().filter(|o| o.process != Process::Nemesis)
    }

    /// True when some client op is an invocation of `f`.
    pub fn has_f(&self, f: &str) -> bool {
        self.client_ops()
            .any(|o| o.kind == OpType::Invoke && o.f == f)
    }
}
