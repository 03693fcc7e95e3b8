//! A run's id: eight hex digits carried by every name a run creates (namespaces, links,
//! iptables chains, temp dirs, state files), so runs never collide and `rift cleanup` finds them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Eight lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RunId(String);

impl RunId {
    /// A fresh id, from the clock, the pid and a counter.
    pub fn random() -> RunId {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.write_u32(std::process::id());
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        RunId(format!("{:08x}", h.finish() as u32))
    }

    /// The id in `text`, if it is eight lowercase hex digits.
    pub fn parse(text: &str) -> Result<RunId, String> {
        if text.len() == 8
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(RunId(text.to_string()))
        } else {
            Err(format!(
                "a run id is eight lowercase hex digits, not {text:?}"
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A number derived from the id, for choosing subnets and ports.
    pub fn number(&self) -> u32 {
        u32::from_str_radix(&self.0, 16).expect("validated hex")
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RunId {
    type Error = String;
    fn try_from(s: String) -> Result<RunId, String> {
        RunId::parse(&s)
    }
}

impl From<RunId> for String {
    fn from(id: RunId) -> String {
        id.0
    }
}

impl std::str::FromStr for RunId {
    type Err = String;
    fn from_str(s: &str) -> Result<RunId, String> {
        RunId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_parse_and_differ() {
        let a = RunId::random();
        let b = RunId::random();
        assert_ne!(a, b);
        assert_eq!(RunId::parse(a.as_str()).unwrap(), a);
        assert!(RunId::parse("ABCDEF12").is_err());
        assert!(RunId::parse("abc").is_err());
    }
}
