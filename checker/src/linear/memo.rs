//! The configurations a search has explored. A configuration is the calls that must take effect
//! that it has linearised (a key of numbers, as the search writes it compactly), the model state,
//! and how many calls of each class of optional calls it has used. A configuration met again has
//! no linearisation (the search would have finished from it the first time), and neither has one
//! that has used at least as many calls of every class as one met before, with the same required
//! calls and state: whatever the first could not do with more optional calls left, the second
//! cannot do with fewer. So the search explores neither.
//!
//! Configurations with the same required calls and state form a group: its key and state are
//! stored once, with a list of its count vectors. Keys and count vectors are stored as LEB128
//! varints, keys as differences between successive numbers (the calls of a window are close
//! together), back to back in byte arenas indexed from a hash table of group numbers: no
//! allocation per entry, a few bytes per number, and the whole memo is freed at once.
//! [`Memo::bytes`] is what it holds, and [`Memo::growth`] what its next insertions may allocate at
//! once (a table or an arena doubling), so that a budget can stop the search before the
//! allocation, not after.

use hashbrown::HashTable;
use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};

/// The end of a group's list of count vectors.
const NONE: u64 = u64::MAX;

/// The configurations with the same required calls and state.
struct Group<S> {
    /// Its hash in the table.
    hash: u64,
    /// Where its key starts in `keys` (it runs to where the next group's starts).
    key: u64,
    /// Where its last count vector starts in `vectors` (each links to the one before).
    last: u64,
    state: S,
}

/// Explored configurations.
pub(crate) struct Memo<S> {
    table: HashTable<u32>,
    groups: Vec<Group<S>>,
    keys: Vec<u8>,
    /// Count vectors, each: the group's vector before it (8 bytes, [`NONE`] for none), the number
    /// of classes in use, then `(class - previous class, count)` for each.
    vectors: Vec<u8>,
    /// Scratch: the key being looked up, encoded.
    encoded: Vec<u8>,
    entries: usize,
}

fn put(out: &mut Vec<u8>, mut x: u32) {
    while x >= 0x80 {
        out.push(x as u8 | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

fn take(bytes: &[u8], at: &mut usize) -> u32 {
    let (mut x, mut shift) = (0u32, 0);
    loop {
        let b = bytes[*at];
        *at += 1;
        x |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            return x;
        }
        shift += 7;
    }
}

impl<S: Eq + Hash + Clone> Memo<S> {
    /// An empty memo.
    pub(crate) fn new() -> Memo<S> {
        Memo {
            table: HashTable::new(),
            groups: Vec::new(),
            keys: Vec::new(),
            vectors: Vec::new(),
            encoded: Vec::new(),
            entries: 0,
        }
    }

    fn key(&self, g: usize) -> &[u8] {
        let end = self
            .groups
            .get(g + 1)
            .map_or(self.keys.len(), |n| n.key as usize);
        &self.keys[self.groups[g].key as usize..end]
    }

    /// True when the count vector at `v` uses no more of any class than `used`; also returns the
    /// vector before it.
    fn covers(&self, v: u64, used: &[u32]) -> (bool, u64) {
        let at = v as usize;
        let previous = u64::from_le_bytes(self.vectors[at..at + 8].try_into().expect("8 bytes"));
        let mut at = at + 8;
        let n = take(&self.vectors, &mut at);
        let mut class = 0;
        for _ in 0..n {
            class += take(&self.vectors, &mut at);
            if take(&self.vectors, &mut at) > used[class as usize] {
                return (false, previous);
            }
        }
        (true, previous)
    }

    /// Records the configuration of required calls `key` (ascending after its first number;
    /// `key_hash` is a hash of it), `state`, and the classes' counts: `used` per class, `pairs`
    /// the `(class, count)` of those in use, by class. False when the memo holds the same
    /// configuration, or one that used no more of any class.
    pub(crate) fn insert(
        &mut self,
        key_hash: u64,
        key: &[u32],
        state: &S,
        used: &[u32],
        pairs: &[u32],
    ) -> bool {
        let mut h = FxHasher::default();
        h.write_u64(key_hash);
        state.hash(&mut h);
        let hash = h.finish();
        self.encoded.clear();
        let mut previous = 0;
        for (n, &x) in key.iter().enumerate() {
            put(&mut self.encoded, if n < 2 { x } else { x - previous });
            previous = x;
        }
        let found = self.table.find(hash, |&g| {
            let g = g as usize;
            self.key(g) == self.encoded.as_slice() && &self.groups[g].state == state
        });
        let g = match found {
            Some(&g) => {
                let mut v = self.groups[g as usize].last;
                while v != NONE {
                    let (covered, before) = self.covers(v, used);
                    if covered {
                        return false;
                    }
                    v = before;
                }
                g as usize
            }
            None => {
                let g = self.groups.len();
                self.groups.push(Group {
                    hash,
                    key: self.keys.len() as u64,
                    last: NONE,
                    state: state.clone(),
                });
                self.keys.extend_from_slice(&self.encoded);
                let groups = &self.groups;
                self.table
                    .insert_unique(hash, g as u32, |&j| groups[j as usize].hash);
                g
            }
        };
        let at = self.vectors.len() as u64;
        self.vectors
            .extend_from_slice(&self.groups[g].last.to_le_bytes());
        put(&mut self.vectors, (pairs.len() / 2) as u32);
        let mut class = 0;
        for p in pairs.chunks_exact(2) {
            put(&mut self.vectors, p[0] - class);
            put(&mut self.vectors, p[1]);
            class = p[0];
        }
        self.groups[g].last = at;
        self.entries += 1;
        true
    }

    /// The number of configurations recorded.
    pub(crate) fn len(&self) -> usize {
        self.entries
    }

    /// The bytes the memo has allocated (not counting what states share).
    pub(crate) fn bytes(&self) -> u64 {
        (self.table.capacity() * TABLE_SLOT
            + self.groups.capacity() * std::mem::size_of::<Group<S>>()
            + self.keys.capacity()
            + self.vectors.capacity()) as u64
    }

    /// The most the memo may allocate at once within its next `entries` insertions of keys and
    /// count vectors of about `bytes` bytes each: the new table and arenas of every one of them
    /// that would have to grow (each doubles, the old one alive until the move is done).
    pub(crate) fn growth(&self, entries: usize, bytes: usize) -> u64 {
        fn grown(len: usize, cap: usize, more: usize, size: usize) -> usize {
            if len + more > cap {
                (cap * 2).max(more) * size
            } else {
                0
            }
        }
        let group = std::mem::size_of::<Group<S>>();
        (grown(
            self.table.len(),
            self.table.capacity(),
            entries,
            TABLE_SLOT * 2,
        ) + grown(self.groups.len(), self.groups.capacity(), entries, group)
            + grown(self.keys.len(), self.keys.capacity(), entries * bytes, 1)
            + grown(
                self.vectors.len(),
                self.vectors.capacity(),
                entries * bytes,
                1,
            )) as u64
    }
}

/// A table slot: the group number and hashbrown's control byte, with its load factor (7/8).
const TABLE_SLOT: usize = (std::mem::size_of::<u32>() + 1) * 8 / 7 + 1;
