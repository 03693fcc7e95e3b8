//! Telling a history's format from its first bytes.

use std::fmt;
use std::str::FromStr;

/// The formats histories are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// rift's native JSON Lines: a header line, then one op per line.
    Jsonl,
    /// Jepsen EDN: a vector or list of op maps, op maps one per line, or op tuples.
    Edn,
    /// The op lines of Jepsen's console log (`INFO  jepsen.util - 3 :invoke :cas [1 4]`).
    JepsenLog,
    /// Porcupine's kv histories: EDN op maps one per line, each with a `:key`.
    PorcupineKv,
}

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Format; 4] = [
        Format::Jsonl,
        Format::Edn,
        Format::JepsenLog,
        Format::PorcupineKv,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Edn => "edn",
            Format::JepsenLog => "jepsen-log",
            Format::PorcupineKv => "porcupine-kv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    /// Parses a format name as [`Format::name`] gives it.
    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                format!("unknown format {s:?}; expected jsonl, edn, jepsen-log or porcupine-kv")
            })
    }
}

/// The format of a history that starts with `first_bytes` (a few kilobytes are plenty), or `None`
/// when it looks like none of them.
///
/// A JSON object (`{"`) is JSONL; text that opens with an EDN form or comment is EDN, or
/// Porcupine kv when it is bare op maps and the first one has a `:key`; text with Jepsen's
/// `jepsen.util - ` op lines is a Jepsen log.
pub fn detect(first_bytes: &str) -> Option<Format> {
    let text = first_bytes.trim_start_matches('\u{feff}');
    let start = text.trim_start();
    let mut chars = start.chars();
    match chars.next()? {
        '{' if chars.as_str().trim_start().starts_with('"') => Some(Format::Jsonl),
        '{' => {
            let first_line = start.lines().next().unwrap_or("");
            if first_line.contains(":key ") || first_line.contains(":key,") {
                Some(Format::PorcupineKv)
            } else {
                Some(Format::Edn)
            }
        }
        '[' | '(' | ';' | '#' => Some(Format::Edn),
        _ if text.lines().any(|l| l.contains("jepsen.util")) => Some(Format::JepsenLog),
        _ if looks_like_a_log_line(start.lines().next().unwrap_or("")) => Some(Format::JepsenLog),
        _ => None,
    }
}

/// True for a line that starts with a log level or a date, as Jepsen's console log lines do (its
/// op lines may come only after many kilobytes of setup logging).
fn looks_like_a_log_line(line: &str) -> bool {
    let level = ["INFO", "WARN", "ERROR", "DEBUG", "TRACE"]
        .iter()
        .any(|l| line.starts_with(l) && line[l.len()..].starts_with([' ', '\t', ']', ':']));
    let b = line.as_bytes();
    let date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    level || date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_line_is_jsonl() {
        assert_eq!(detect("{\"rift_history\":1}\n"), Some(Format::Jsonl));
        assert_eq!(detect("  { \"index\":0}"), Some(Format::Jsonl));
    }

    #[test]
    fn vectors_lists_maps_and_comments_are_edn() {
        assert_eq!(detect("[{:process 0, :type :invoke}"), Some(Format::Edn));
        assert_eq!(detect("({:type :invoke"), Some(Format::Edn));
        assert_eq!(detect("; comment\n[{:a 1}]"), Some(Format::Edn));
        assert_eq!(detect("{:index 0 :type :invoke}\n"), Some(Format::Edn));
    }

    #[test]
    fn bare_maps_with_a_key_are_porcupine_kv() {
        assert_eq!(
            detect("{:process 0, :type :invoke, :f :get, :key \"1\", :value nil}\n"),
            Some(Format::PorcupineKv)
        );
    }

    #[test]
    fn jepsen_console_lines_are_a_jepsen_log() {
        assert_eq!(
            detect("INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"),
            Some(Format::JepsenLog)
        );
        assert_eq!(
            detect("2017-01-01 INFO jepsen.core - start\nINFO jepsen.util - 1 :ok :read 3"),
            Some(Format::JepsenLog)
        );
    }

    #[test]
    fn a_log_that_opens_with_setup_lines_is_a_jepsen_log() {
        assert_eq!(
            detect("INFO  jepsen.core - Setting up nodes\n"),
            Some(Format::JepsenLog)
        );
        assert_eq!(
            detect("2017-05-01 12:00:00,123{GMT}\tINFO\t[main] jepsen.cli: Test starts\n"),
            Some(Format::JepsenLog)
        );
    }

    #[test]
    fn anything_else_is_unknown() {
        assert_eq!(detect("hello world"), None);
        assert_eq!(detect(""), None);
        assert_eq!(detect("   \n"), None);
        assert_eq!(detect("INFORMATION wants to be free"), None);
        assert_eq!(detect("2017-05"), None);
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert!("xml".parse::<Format>().is_err());
    }
}
