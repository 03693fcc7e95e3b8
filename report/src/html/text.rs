//! Text into HTML: escaping, and explanations with their op references made into links.

use crate::data::OpMap;
use std::fmt::Write;

/// `s` with `& < > " '` escaped, safe in text and in quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The digits at the start of `s`, if any.
fn leading_number(s: &str) -> Option<(&str, u64)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(s.len(), |(i, _)| i);
    let digits = &s[..end];
    digits.parse().ok().map(|n| (digits, n))
}

/// An explanation escaped, with each `op N` and each transaction `TN` that names a call of the
/// history made into a link that selects the call on the timeline (`#call=P`).
pub(crate) fn linked(text: &str, ops: &OpMap) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut plain = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        let at_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let prefix = if at_word && text[i..].starts_with("op ") {
            Some(3)
        } else if at_word && bytes[i] == b'T' {
            Some(1)
        } else {
            None
        };
        if let Some(len) = prefix {
            if let Some((digits, op)) = leading_number(&text[i + len..]) {
                let end = i + len + digits.len();
                let whole_word = !text[end..].starts_with(|c: char| c.is_ascii_alphanumeric());
                if let (true, Some(call)) = (whole_word, ops.call_of(op)) {
                    out.push_str(&escape(&text[plain..i]));
                    let _ = write!(
                        out,
                        "<a class=\"op\" href=\"#call={call}\">{}</a>",
                        escape(&text[i..end])
                    );
                    plain = end;
                    i = end;
                    continue;
                }
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    out.push_str(&escape(&text[plain..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use histories::{History, Op, OpType, Process};
    use serde_json::json;

    fn ops() -> OpMap {
        let h = History::from_ops(vec![
            Op::new(
                0,
                0,
                Process::Client(0),
                OpType::Invoke,
                "read",
                json!(null),
            ),
            Op::new(
                1,
                1,
                Process::Client(1),
                OpType::Invoke,
                "read",
                json!(null),
            ),
            Op::new(2, 2, Process::Client(0), OpType::Ok, "read", json!(1)),
        ]);
        OpMap::new(&h.calls().unwrap())
    }

    #[test]
    fn op_and_transaction_references_become_links_and_the_rest_is_escaped() {
        let html = linked("read <x> (op 2) and T1 < T9, not Top 1 or op 2x", &ops());
        assert_eq!(
            html,
            "read &lt;x&gt; (<a class=\"op\" href=\"#call=0\">op 2</a>) and \
             <a class=\"op\" href=\"#call=1\">T1</a> &lt; T9, not Top 1 or op 2x"
        );
    }
}
