//! A `Cell`: the stored, versioned value of one key, and how two copies of a cell merge.
//!
//! Every key (a room, a register, a list) holds one cell. A cell has one or more *siblings*, each a
//! value stamped with a [`Version`] and a [`Dot`] (the node that wrote it and that node's write
//! counter for the key), and a *context*: the version vector of every write the cell has seen.
//! Under [`Resolution::LastWriterWins`] a cell keeps exactly one sibling, the one with the highest
//! version; under [`Resolution::VersionVectors`] concurrent writes (neither saw the other) are all
//! kept as siblings until a later write that has seen them supersedes them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// How a replica orders two writes: by `stamp` (a sequence number assigned by one orderer, or a
/// wall-clock time in microseconds), then by the writing `node`, so versions are totally ordered.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Version {
    /// Sequence number or wall-clock microseconds since the Unix epoch.
    pub stamp: u64,
    /// Id of the node that made the write.
    pub node: u32,
}

/// One write's identity: the node that made it and that node's counter of writes to the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dot {
    /// Id of the writing node.
    pub node: u32,
    /// The writing node's write counter for this key, from 1.
    pub counter: u64,
}

/// One value of a cell with the write that produced it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sibling {
    /// The value written.
    pub value: Value,
    /// The write's version (used for last-writer-wins and to pick a register's newest value).
    pub version: Version,
    /// The write's dot (used by version vectors to tell concurrent writes from superseded ones).
    pub dot: Dot,
}

/// How concurrent writes to one key are resolved when copies of a cell merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Keep the sibling with the highest version; the others are dropped silently.
    LastWriterWins,
    /// Keep every write that no other kept write has seen (a multi-value register).
    VersionVectors,
}

/// The stored state of one key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The current values, sorted by version (one under last-writer-wins).
    pub siblings: Vec<Sibling>,
    /// Version vector: for each node, the highest write counter this cell has seen. On the wire
    /// a list of `[node, counter]` pairs (JSON object keys would have to be strings).
    #[serde(with = "pairs")]
    pub context: BTreeMap<u32, u64>,
}

/// (De)serialise a version vector as a list of `[node, counter]` pairs.
mod pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(m: &BTreeMap<u32, u64>, s: S) -> Result<S::Ok, S::Error> {
        m.iter().collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<u32, u64>, D::Error> {
        Ok(Vec::<(u32, u64)>::deserialize(d)?.into_iter().collect())
    }
}

impl Cell {
    /// The highest version among the siblings (the default version for an empty cell).
    pub fn version(&self) -> Version {
        self.siblings
            .iter()
            .map(|s| s.version)
            .max()
            .unwrap_or_default()
    }

    /// The sibling with the highest version, if any.
    pub fn newest(&self) -> Option<&Sibling> {
        self.siblings.iter().max_by_key(|s| s.version)
    }

    /// Whether `dot` is covered by this cell's context (this cell has seen that write).
    fn has_seen(&self, dot: Dot) -> bool {
        self.context
            .get(&dot.node)
            .is_some_and(|&c| c >= dot.counter)
    }

    /// The cell after `node` writes `value` at `version`, having seen this cell. Returns `None`
    /// when the write loses outright: under last-writer-wins, a write whose version is older than
    /// the stored one (e.g. from a node whose clock is behind) changes nothing.
    pub fn written(
        &self,
        value: Value,
        version: Version,
        node: u32,
        resolution: Resolution,
    ) -> Option<Cell> {
        if resolution == Resolution::LastWriterWins && version < self.version() {
            return None;
        }
        let counter = self.context.get(&node).copied().unwrap_or(0) + 1;
        let mut context = self.context.clone();
        context.insert(node, counter);
        Some(Cell {
            siblings: vec![Sibling {
                value,
                version,
                dot: Dot { node, counter },
            }],
            context,
        })
    }

    /// The merge of two copies of a cell: commutative, associative and idempotent.
    pub fn merged(&self, other: &Cell, resolution: Resolution) -> Cell {
        let mut context = self.context.clone();
        for (&node, &counter) in &other.context {
            let c = context.entry(node).or_insert(0);
            *c = (*c).max(counter);
        }
        let mut siblings: Vec<Sibling> = match resolution {
            Resolution::LastWriterWins => self
                .newest()
                .into_iter()
                .chain(other.newest())
                .max_by(|a, b| a.version.cmp(&b.version).then(a.dot.cmp(&b.dot)))
                .cloned()
                .into_iter()
                .collect(),
            Resolution::VersionVectors => {
                let keep = |mine: &Cell, theirs: &Cell| -> Vec<Sibling> {
                    mine.siblings
                        .iter()
                        .filter(|s| {
                            theirs.siblings.iter().any(|t| t.dot == s.dot)
                                || !theirs.has_seen(s.dot)
                        })
                        .cloned()
                        .collect()
                };
                let mut all = keep(self, other);
                for s in keep(other, self) {
                    if !all.iter().any(|a| a.dot == s.dot) {
                        all.push(s);
                    }
                }
                all
            }
        };
        siblings.sort_by(|a, b| a.version.cmp(&b.version).then(a.dot.cmp(&b.dot)));
        Cell { siblings, context }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(stamp: u64, node: u32) -> Version {
        Version { stamp, node }
    }

    #[test]
    fn a_cell_survives_a_round_trip_through_a_json_value() {
        let c = Cell::default()
            .written(json!("a"), v(10, 2), 2, Resolution::VersionVectors)
            .unwrap();
        let back: Cell = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn last_writer_wins_keeps_only_the_highest_version() {
        let empty = Cell::default();
        let a = empty
            .written(json!("a"), v(10, 0), 0, Resolution::LastWriterWins)
            .unwrap();
        let b = empty
            .written(json!("b"), v(20, 1), 1, Resolution::LastWriterWins)
            .unwrap();
        let m = a.merged(&b, Resolution::LastWriterWins);
        assert_eq!(m.siblings.len(), 1);
        assert_eq!(m.siblings[0].value, json!("b"));
        assert_eq!(m, b.merged(&a, Resolution::LastWriterWins));
    }

    #[test]
    fn a_write_older_than_the_stored_version_is_lost_under_last_writer_wins() {
        let c = Cell::default()
            .written(json!(1), v(50, 0), 0, Resolution::LastWriterWins)
            .unwrap();
        assert!(c
            .written(json!(2), v(40, 1), 1, Resolution::LastWriterWins)
            .is_none());
    }

    #[test]
    fn version_vectors_keep_concurrent_writes_as_siblings() {
        let empty = Cell::default();
        let a = empty
            .written(json!("a"), v(10, 0), 0, Resolution::VersionVectors)
            .unwrap();
        let b = empty
            .written(json!("b"), v(5, 1), 1, Resolution::VersionVectors)
            .unwrap();
        let m = a.merged(&b, Resolution::VersionVectors);
        assert_eq!(m.siblings.len(), 2);
        assert_eq!(m, b.merged(&a, Resolution::VersionVectors));
        assert_eq!(m, m.merged(&a, Resolution::VersionVectors));
    }

    #[test]
    fn a_write_that_saw_the_siblings_supersedes_them() {
        let empty = Cell::default();
        let a = empty
            .written(json!("a"), v(10, 0), 0, Resolution::VersionVectors)
            .unwrap();
        let b = empty
            .written(json!("b"), v(5, 1), 1, Resolution::VersionVectors)
            .unwrap();
        let m = a.merged(&b, Resolution::VersionVectors);
        let c = m
            .written(json!("c"), v(3, 2), 2, Resolution::VersionVectors)
            .unwrap();
        let all = a
            .merged(&c, Resolution::VersionVectors)
            .merged(&b, Resolution::VersionVectors);
        assert_eq!(all.siblings.len(), 1);
        assert_eq!(all.siblings[0].value, json!("c"));
    }
}
