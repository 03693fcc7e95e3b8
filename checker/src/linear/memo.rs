//! The configurations a search has explored: pairs of a linearised set (a bitset, with its
//! Zobrist hash) and a model state. A configuration met again has no linearisation (the search
//! would have finished from it the first time), so the search does not explore it twice.
//!
//! Entries live in two arenas, the bitsets back to back in one vector and the states in another,
//! indexed from a hash table of entry numbers: no allocation per entry, and the whole memo is
//! freed at once.

use hashbrown::HashTable;
use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};

/// Explored configurations.
pub(crate) struct Memo<S> {
    table: HashTable<usize>,
    /// Per entry: its hash in the table, the Zobrist hash of its set and its state.
    entries: Vec<(u64, u64, S)>,
    /// Per entry, `words` words of bitset.
    bits: Vec<u64>,
    words: usize,
}

impl<S: Eq + Hash + Clone> Memo<S> {
    /// An empty memo for sets of `words` 64-bit words.
    pub(crate) fn new(words: usize) -> Memo<S> {
        Memo {
            table: HashTable::new(),
            entries: Vec::new(),
            bits: Vec::new(),
            words,
        }
    }

    /// Records the configuration; false when it was there already.
    pub(crate) fn insert(&mut self, set_hash: u64, set: &[u64], state: &S) -> bool {
        let mut h = FxHasher::default();
        h.write_u64(set_hash);
        state.hash(&mut h);
        let hash = h.finish();
        let (entries, bits, words) = (&self.entries, &self.bits, self.words);
        let found = self.table.find(hash, |&i| {
            let (_, z, s) = &entries[i];
            let at = i * words;
            *z == set_hash && &bits[at..at + words] == set && s == state
        });
        if found.is_some() {
            return false;
        }
        let i = self.entries.len();
        self.entries.push((hash, set_hash, state.clone()));
        self.bits.extend_from_slice(set);
        let entries = &self.entries;
        self.table.insert_unique(hash, i, |&j| entries[j].0);
        true
    }

    /// The number of configurations recorded.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// An estimate of the bytes held per entry (not counting what states share).
    pub(crate) fn entry_bytes(&self) -> usize {
        std::mem::size_of::<(u64, u64, S)>() + self.words * 8 + std::mem::size_of::<usize>() + 1
    }
}
