//! Strings built by puts and appends, shared between the states of a search.
//!
//! The append-kv model's state is its key's whole string. Copying and hashing that string at
//! every step made a step cost O(length) (Porcupine's kv histories hold strings of 500 bytes). A
//! [`Text`] is instead a persistent list of [`Piece`]s, from the last append back to the value of
//! the last put (or the empty string), that keeps its length and a polynomial hash of its bytes
//! (modulo the Mersenne prime 2^61 - 1). Appending, cloning and hashing take O(1). Equality is
//! exact: different lengths or hashes decide it at once, texts that share their tail of pieces
//! stop comparing where they meet, and otherwise the bytes are compared, so equal hashes never
//! make different strings equal. An [`Expected`] string (what a get observed) keeps hashes of its
//! prefixes every 16 bytes, so "could this text be a prefix of it?" takes O(1) too.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

const MODULUS: u64 = (1 << 61) - 1;
const BASE: u64 = 0x0a3d_c29e_6b1f_4d87 % MODULUS;
/// Prefix hashes of an [`Expected`] string are kept at multiples of this many bytes.
const CHECKPOINT: usize = 16;

fn reduce(x: u128) -> u64 {
    let folded = (x & MODULUS as u128) as u64 + (x >> 61) as u64;
    let folded = (folded & MODULUS) + (folded >> 61);
    if folded >= MODULUS {
        folded - MODULUS
    } else {
        folded
    }
}

fn mul(a: u64, b: u64) -> u64 {
    reduce(a as u128 * b as u128)
}

/// `b^e`, by squaring.
fn power(mut b: u64, mut e: usize) -> u64 {
    let mut p = 1;
    while e > 0 {
        if e & 1 == 1 {
            p = mul(p, b);
        }
        b = mul(b, b);
        e >>= 1;
    }
    p
}

/// The hash of `prefix ++ bytes`, from the hash of `prefix`.
fn extend(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = reduce(h as u128 * BASE as u128 + b as u128 + 1);
    }
    h
}

/// A string to append: its text, hash and `BASE^len`.
#[derive(Clone)]
pub struct Piece {
    text: Arc<str>,
    hash: u64,
    shift: u64,
}

impl Piece {
    /// The piece of text `s`.
    pub fn new(s: &str) -> Piece {
        let shift = power(BASE, s.len());
        Piece {
            hash: extend(0, s.as_bytes()),
            text: s.into(),
            shift,
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Piece {
    fn eq(&self, other: &Piece) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}

impl Eq for Piece {}

impl Hash for Piece {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.hash);
    }
}

impl fmt::Debug for Piece {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text, f)
    }
}

struct Node {
    piece: Piece,
    /// The text before the piece; `None` when the piece is the whole text.
    before: Option<Arc<Node>>,
    len: usize,
    hash: u64,
}

impl Drop for Node {
    /// Frees a long list iteratively, not by recursion (which could overflow the stack).
    fn drop(&mut self) {
        let mut next = self.before.take();
        while let Some(node) = next {
            next = match Arc::try_unwrap(node) {
                Ok(mut owned) => owned.before.take(),
                Err(_) => None,
            };
        }
    }
}

/// A string as a list of pieces, with its length and hash; cloned in O(1).
#[derive(Clone)]
pub struct Text(Arc<Node>);

impl Text {
    /// The string `s`, whole.
    pub fn new(s: &str) -> Text {
        let piece = Piece::new(s);
        Text(Arc::new(Node {
            len: s.len(),
            hash: piece.hash,
            piece,
            before: None,
        }))
    }

    /// This string followed by `piece`.
    pub fn append(&self, piece: &Piece) -> Text {
        Text(Arc::new(Node {
            len: self.0.len + piece.text.len(),
            hash: reduce(self.0.hash as u128 * piece.shift as u128 + piece.hash as u128),
            piece: piece.clone(),
            before: Some(self.0.clone()),
        }))
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// True when this string is exactly `e`.
    pub fn is(&self, e: &Expected) -> bool {
        if self.0.len != e.text.len() || self.0.hash != e.hash {
            return false;
        }
        let mut rest = e.text.as_bytes();
        let mut back = Back::new(&self.0);
        while let Some((_, chunk)) = back.chunk() {
            match rest.strip_suffix(chunk) {
                Some(r) => rest = r,
                None => return false,
            }
            back.consume(chunk.len());
        }
        rest.is_empty()
    }

    /// False when this string is certainly not a prefix of `e`; true when it is (and, rarely,
    /// when it is not but a prefix of `e` has the same hash).
    pub fn may_prefix(&self, e: &Expected) -> bool {
        if self.0.before.is_none() {
            // One piece (a put's value): comparing bytes is exact, and cheaper than hashing.
            return e.text.starts_with(&*self.0.piece.text);
        }
        self.0.len <= e.text.len() && e.prefix_hash(self.0.len) == self.0.hash
    }
}

/// Walks a text's bytes backwards, piece by piece.
struct Back<'a> {
    node: Option<&'a Node>,
    /// Bytes of the current piece not yet walked.
    end: usize,
}

impl<'a> Back<'a> {
    fn new(node: &'a Node) -> Back<'a> {
        Back {
            node: Some(node),
            end: node.piece.text.len(),
        }
    }

    /// The current node and the bytes of its piece not yet walked (never empty); `None` at the
    /// start of the text.
    fn chunk(&mut self) -> Option<(&'a Node, &'a [u8])> {
        while let Some(node) = self.node {
            if self.end > 0 {
                return Some((node, &node.piece.text.as_bytes()[..self.end]));
            }
            self.node = node.before.as_deref();
            self.end = self.node.map_or(0, |n| n.piece.text.len());
        }
        None
    }

    fn consume(&mut self, n: usize) {
        self.end -= n;
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        if self.0.len != other.0.len || self.0.hash != other.0.hash {
            return false;
        }
        let (mut a, mut b) = (Back::new(&self.0), Back::new(&other.0));
        loop {
            match (a.chunk(), b.chunk()) {
                (None, None) => return true,
                (Some((m, x)), Some((n, y))) => {
                    // At the same place in the same node, what comes before is the same.
                    if a.end == b.end && std::ptr::eq(m, n) {
                        return true;
                    }
                    let k = x.len().min(y.len());
                    if x[x.len() - k..] != y[y.len() - k..] {
                        return false;
                    }
                    a.consume(k);
                    b.consume(k);
                }
                _ => return false,
            }
        }
    }
}

impl Eq for Text {}

impl Hash for Text {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.0.hash ^ (self.0.len as u64).rotate_left(32));
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut pieces = Vec::new();
        let mut node = Some(&*self.0);
        while let Some(n) = node {
            pieces.push(n.piece.as_str());
            node = n.before.as_deref();
        }
        pieces.iter().rev().try_for_each(|p| f.write_str(p))
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

/// A string a get observed, with the hashes of its prefixes at every `CHECKPOINT` bytes.
#[derive(Clone)]
pub struct Expected {
    text: Arc<str>,
    hash: u64,
    checkpoints: Arc<[u64]>,
}

impl Expected {
    /// The observed string `s`.
    pub fn new(s: &str) -> Expected {
        let mut checkpoints = vec![0];
        let mut h = 0;
        for chunk in s.as_bytes().chunks(CHECKPOINT) {
            h = extend(h, chunk);
            checkpoints.push(h);
        }
        Expected {
            text: s.into(),
            hash: h,
            checkpoints: checkpoints.into(),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The hash of the first `len` bytes (`len` at most the length).
    fn prefix_hash(&self, len: usize) -> u64 {
        let k = len / CHECKPOINT;
        extend(
            self.checkpoints[k],
            &self.text.as_bytes()[k * CHECKPOINT..len],
        )
    }
}

impl PartialEq for Expected {
    fn eq(&self, other: &Expected) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}

impl Eq for Expected {}

impl Hash for Expected {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.hash);
    }
}

impl fmt::Debug for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(whole: &str, appends: &[&str]) -> Text {
        appends
            .iter()
            .fold(Text::new(whole), |t, a| t.append(&Piece::new(a)))
    }

    #[test]
    fn texts_are_equal_when_their_bytes_are_however_they_were_built() {
        let a = built("", &["ab", "c", "", "de"]);
        let b = built("a", &["bcd", "e"]);
        let c = Text::new("abcde");
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(a.to_string(), "abcde");
        let hash = |t: &Text| {
            let mut h = rustc_hash::FxHasher::default();
            t.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&a), hash(&c));
        assert_ne!(a, built("", &["ab", "c", "ed"]));
        assert_ne!(a, built("abcd", &[]));
    }

    #[test]
    fn texts_sharing_a_tail_compare_equal() {
        let base = built("x", &["y"; 100]);
        let p = Piece::new("z");
        assert_eq!(base.append(&p), base.append(&p));
        assert_ne!(base.append(&p), base.append(&Piece::new("w")));
    }

    #[test]
    fn a_text_is_an_expected_string_only_when_its_bytes_are() {
        let t = built("a", &["b", "c"]);
        assert!(t.is(&Expected::new("abc")));
        assert!(!t.is(&Expected::new("abd")));
        assert!(!t.is(&Expected::new("ab")));
        assert!(Text::new("").is(&Expected::new("")));
    }

    #[test]
    fn a_prefix_is_recognised_across_checkpoints_and_a_non_prefix_rejected() {
        let long: String = (0..300)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let e = Expected::new(&long);
        for cut in [0, 1, 63, 64, 65, 128, 200, 300] {
            let t = built(&long[..cut / 2], &[&long[cut / 2..cut]]);
            assert!(t.may_prefix(&e), "prefix of {cut} bytes");
        }
        assert!(!Text::new("b").may_prefix(&e));
        assert!(!built(&long[..130], &["?"]).may_prefix(&e));
        assert!(!built(&long, &["a"]).may_prefix(&e));
    }

    #[test]
    fn a_very_long_text_is_dropped_without_overflowing_the_stack() {
        let p = Piece::new("x");
        let mut t = Text::new("");
        for _ in 0..1_000_000 {
            t = t.append(&p);
        }
        assert_eq!(t.len(), 1_000_000);
        drop(t);
    }
}
