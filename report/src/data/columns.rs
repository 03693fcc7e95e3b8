//! Columns of unsigned integers as the page receives them: LEB128 varints, base64-encoded, so
//! that a million calls fit in a few megabytes of text and decode in a tight loop; and the table
//! of interned strings the columns point into.

use base64::Engine;
use std::collections::HashMap;

/// A column being written.
#[derive(Default)]
pub(crate) struct Column {
    bytes: Vec<u8>,
}

impl Column {
    /// Appends `v` as a LEB128 varint (7 bits a byte, low bits first, high bit set on all bytes
    /// but the last).
    pub(crate) fn push(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.bytes.push(byte);
                return;
            }
            self.bytes.push(byte | 0x80);
        }
    }

    /// The column as base64 text.
    pub(crate) fn encode(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }
}

/// Strings stored once each; index 0 is the empty string.
pub(crate) struct Strings {
    index: HashMap<String, u32>,
    pub(crate) table: Vec<String>,
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            index: HashMap::from([(String::new(), 0)]),
            table: vec![String::new()],
        }
    }
}

impl Strings {
    /// The index of `s`, added if new.
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.len() as u32;
        self.table.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_take_one_byte_below_128_and_more_above() {
        let mut c = Column::default();
        c.push(5);
        c.push(300);
        c.push(u64::from(u32::MAX));
        assert_eq!(&c.bytes[..3], &[5, 0xac, 0x02]);
        assert_eq!(c.bytes.len(), 1 + 2 + 5);
    }

    #[test]
    fn a_string_is_stored_once() {
        let mut s = Strings::default();
        assert_eq!(s.intern("a"), 1);
        assert_eq!(s.intern("b"), 2);
        assert_eq!(s.intern("a"), 1);
        assert_eq!(s.intern(""), 0);
        assert_eq!(s.table, vec!["", "a", "b"]);
    }
}
