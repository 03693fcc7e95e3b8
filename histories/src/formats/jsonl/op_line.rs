//! The fast path of reading one op line: the JSON object scanned straight from its bytes into an
//! [`Op`], without serde's visitors.
//!
//! [`parse`] answers `None` whenever the line is anything but well-formed JSON it fully
//! understands (a missing or repeated field, a field of the wrong type, a type or process written
//! with escapes, nesting deeper than [`MAX_DEPTH`], ...). The reader then parses the line again
//! with serde (`op_de.rs`), which is the reference: it gives the same op for every line this
//! accepts (the `serde_agreement` tests check it), and the located error for every line that is
//! bad. Floats and escaped strings are handed to serde_json one token at a time, so that their
//! values are serde_json's to the bit.
//!
//! The first fields are expected in the order rift writes them (index, time, process, type, f),
//! which saves looking up their names; a line in any other order is read field by field.

use crate::op_de::Field;
use crate::{Op, OpType, Process};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Arrays and objects nested deeper than this are left to serde (which refuses past 128).
const MAX_DEPTH: u32 = 64;

/// The op on `line`, or `None` when the line needs the full parser (see the module doc). Only the
/// strings kept are checked to be UTF-8: everything else this accepts is ASCII.
pub(super) fn parse(line: &[u8]) -> Option<Op> {
    let mut s = Scanner { rest: line };
    let mut fields = Fields::default();
    if s.writers_prefix(&mut fields).is_none() {
        // Another layout: field by field from the start.
        s = Scanner { rest: line };
        fields = Fields::default();
        s.skip_space();
        s.eat(b'{')?;
        s.field(&mut fields)?;
    }
    loop {
        s.skip_space();
        match s.next()? {
            b',' => s.field(&mut fields)?,
            b'}' => break,
            _ => return None,
        }
    }
    s.skip_space();
    if !s.rest.is_empty() {
        return None;
    }
    fields.op()
}

/// The fields of an op read so far.
#[derive(Default)]
struct Fields {
    index: Option<u64>,
    time: Option<u64>,
    process: Option<Process>,
    kind: Option<OpType>,
    f: Option<String>,
    key: Option<Option<Value>>,
    value: Option<Value>,
    error: Option<Option<Value>>,
    node: Option<Option<String>>,
    extra: Map<String, Value>,
}

impl Fields {
    /// Reads the value of field `name`; `None` when it is repeated or not of its field's type.
    fn read(&mut self, name: Field, s: &mut Scanner) -> Option<()> {
        match name {
            Field::Index => once(&mut self.index, s.unsigned()?),
            Field::Time => once(&mut self.time, s.unsigned()?),
            Field::Process => once(&mut self.process, s.process()?),
            Field::Type => once(&mut self.kind, s.op_type()?),
            Field::F => once(&mut self.f, s.string()?.into_owned()),
            Field::Key => once(&mut self.key, s.nullable_value()?),
            Field::Value => once(&mut self.value, s.value(0)?),
            Field::Error => once(&mut self.error, s.nullable_value()?),
            Field::Node => once(&mut self.node, s.nullable_string()?),
            Field::Other(name) => {
                let value = s.value(0)?;
                match self.extra.insert(name.into_owned(), value) {
                    None => Some(()),
                    Some(_) => None,
                }
            }
        }
    }

    /// The op, when every required field was there.
    fn op(self) -> Option<Op> {
        Some(Op {
            index: self.index?,
            time: self.time?,
            process: self.process?,
            kind: self.kind?,
            f: self.f?,
            key: self.key.flatten(),
            value: self.value.unwrap_or(Value::Null),
            error: self.error.flatten(),
            node: self.node.flatten(),
            extra: self.extra,
        })
    }
}

/// Sets a field that must not have been set yet.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot.replace(value) {
        None => Some(()),
        Some(_) => None,
    }
}

/// The part of the line not read yet.
struct Scanner<'a> {
    rest: &'a [u8],
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn next(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(b)
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Skips JSON whitespace.
    fn skip_space(&mut self) {
        while let [b' ' | b'\n' | b'\t' | b'\r', rest @ ..] = self.rest {
            self.rest = rest;
        }
    }

    /// Skips `text` if the rest starts with it.
    fn skip<const N: usize>(&mut self, text: &[u8; N]) -> Option<()> {
        let (head, rest) = self.rest.split_first_chunk::<N>()?;
        (head == text).then(|| self.rest = rest)
    }

    /// The first fields of an op as rift writes them, in their order and without whitespace:
    /// `{"index":I,"time":T,"process":P,"type":"K","f":"F"`. Their names need no looking up.
    fn writers_prefix(&mut self, fields: &mut Fields) -> Option<()> {
        self.skip(b"{\"index\":")?;
        fields.index = Some(self.unsigned()?);
        self.skip(b",\"time\":")?;
        fields.time = Some(self.unsigned()?);
        self.skip(b",\"process\":")?;
        fields.process = Some(self.process()?);
        self.skip(b",\"type\":")?;
        fields.kind = Some(self.op_type()?);
        self.skip(b",\"f\":")?;
        fields.f = Some(self.string()?.into_owned());
        Some(())
    }

    /// One `"name": value` pair, into `fields`.
    fn field(&mut self, fields: &mut Fields) -> Option<()> {
        self.skip_space();
        let name = self.name()?;
        self.skip_space();
        self.eat(b':')?;
        self.skip_space();
        fields.read(name, self)
    }

    /// A field name. The names of `Op`'s own fields, written plainly, are told apart by their
    /// first bytes; any other name is read as a string.
    fn name(&mut self) -> Option<Field<'a>> {
        let known = match self.rest.get(1)? {
            b'i' => self.skip(b"\"index\"").map(|()| Field::Index),
            b't' => match self.rest.get(2)? {
                b'i' => self.skip(b"\"time\"").map(|()| Field::Time),
                _ => self.skip(b"\"type\"").map(|()| Field::Type),
            },
            b'p' => self.skip(b"\"process\"").map(|()| Field::Process),
            b'f' => self.skip(b"\"f\"").map(|()| Field::F),
            b'k' => self.skip(b"\"key\"").map(|()| Field::Key),
            b'v' => self.skip(b"\"value\"").map(|()| Field::Value),
            b'e' => self.skip(b"\"error\"").map(|()| Field::Error),
            b'n' => self.skip(b"\"node\"").map(|()| Field::Node),
            _ => None,
        };
        match known {
            Some(name) => Some(name),
            None => self.string().map(Field::of),
        }
    }

    /// A string; one with escapes is decoded by serde_json.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let token = self.rest;
        self.eat(b'"')?;
        let len = self
            .rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        let (text, rest) = self.rest.split_at(len);
        self.rest = rest;
        match self.next()? {
            b'"' => return std::str::from_utf8(text).ok().map(Cow::Borrowed),
            b'\\' => {}
            _ => return None,
        }
        // An escape: find the closing quote, then let serde_json decode the whole string.
        self.next()?;
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' => {
                    self.next()?;
                }
                _ => {}
            }
        }
        let token = &token[..token.len() - self.rest.len()];
        serde_json::from_slice::<String>(token).ok().map(Cow::Owned)
    }

    /// A non-negative integer that fits in a u64, in plain digits.
    fn unsigned(&mut self) -> Option<u64> {
        let mut n: u64 = 0;
        let mut len = 0;
        for &b in self.rest {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            n = n.wrapping_mul(10).wrapping_add(u64::from(digit));
            len += 1;
        }
        let (digits, rest) = self.rest.split_at(len);
        // No digits, or a leading zero (invalid JSON).
        if len == 0 || (len > 1 && digits[0] == b'0') {
            return None;
        }
        if len > 19 {
            // 10^19 and up may have wrapped: parse again, checked.
            n = std::str::from_utf8(digits).ok()?.parse().ok()?;
        }
        self.rest = rest;
        Some(n)
    }

    fn process(&mut self) -> Option<Process> {
        if self.peek()? == b'"' {
            return self.skip(b"\"nemesis\"").map(|()| Process::Nemesis);
        }
        self.unsigned().map(Process::Client)
    }

    /// An op type, written plainly.
    fn op_type(&mut self) -> Option<OpType> {
        match self.rest.get(1)? {
            b'i' if self.rest.get(3) == Some(&b'v') => {
                self.skip(b"\"invoke\"").map(|()| OpType::Invoke)
            }
            b'o' => self.skip(b"\"ok\"").map(|()| OpType::Ok),
            b'f' => self.skip(b"\"fail\"").map(|()| OpType::Fail),
            b'i' => self.skip(b"\"info\"").map(|()| OpType::Info),
            _ => None,
        }
    }

    /// A value of an optional field: `null` is absent.
    fn nullable_value(&mut self) -> Option<Option<Value>> {
        match self.value(0)? {
            Value::Null => Some(None),
            v => Some(Some(v)),
        }
    }

    /// A string or `null`.
    fn nullable_string(&mut self) -> Option<Option<String>> {
        if self.peek()? == b'n' {
            return self.skip(b"null").map(|()| None);
        }
        self.string().map(|s| Some(s.into_owned()))
    }

    /// Any JSON value, nested `depth` deep.
    fn value(&mut self, depth: u32) -> Option<Value> {
        match self.peek()? {
            b'n' => self.skip(b"null").map(|()| Value::Null),
            b't' => self.skip(b"true").map(|()| Value::Bool(true)),
            b'f' => self.skip(b"false").map(|()| Value::Bool(false)),
            b'"' => self.string().map(|s| Value::String(s.into_owned())),
            b'[' if depth < MAX_DEPTH => self.array(depth + 1),
            b'{' if depth < MAX_DEPTH => self.object(depth + 1),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn array(&mut self, depth: u32) -> Option<Value> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek()? == b']' {
            self.next();
            return Some(Value::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth)?);
            self.skip_space();
            match self.next()? {
                b',' => {}
                b']' => return Some(Value::Array(items)),
                _ => return None,
            }
        }
    }

    /// An object; a repeated key keeps its last value, as serde_json's `Value` does.
    fn object(&mut self, depth: u32) -> Option<Value> {
        self.eat(b'{')?;
        let mut map = Map::new();
        self.skip_space();
        if self.peek()? == b'}' {
            self.next();
            return Some(Value::Object(map));
        }
        loop {
            self.skip_space();
            let key = self.string()?.into_owned();
            self.skip_space();
            self.eat(b':')?;
            self.skip_space();
            let value = self.value(depth)?;
            map.insert(key, value);
            self.skip_space();
            match self.next()? {
                b',' => {}
                b'}' => return Some(Value::Object(map)),
                _ => return None,
            }
        }
    }

    /// A number: plain integers here, anything else (fractions, exponents, `-0`, integers beyond
    /// 64 bits) by serde_json from the number's own text.
    fn number(&mut self) -> Option<Value> {
        let start = self.rest;
        if let Some(n) = self.unsigned() {
            if !matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
                return Some(Value::Number(n.into()));
            }
        }
        let len = start
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .unwrap_or(start.len());
        let (token, rest) = start.split_at(len);
        self.rest = rest;
        let negative = match token {
            [b'-', b'1'..=b'9', digits @ ..] if digits.iter().all(u8::is_ascii_digit) => {
                std::str::from_utf8(token).ok()?.parse::<i64>().ok()
            }
            _ => None,
        };
        match negative {
            Some(n) => Some(Value::Number(n.into())),
            None => serde_json::from_slice(token).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The op serde reads from `line`, if any.
    fn by_serde(line: &str) -> Option<Op> {
        serde_json::from_str(line).ok()
    }

    #[test]
    fn a_plain_op_line_is_read_on_the_fast_path() {
        let line = r#"{"index":17,"time":412933,"process":3,"type":"ok","f":"cas","key":604,"value":[1,4]}"#;
        let op = parse(line.as_bytes()).expect("fast path");
        assert_eq!(Some(&op), by_serde(line).as_ref());
        assert_eq!(op.value, json!([1, 4]));
        assert_eq!(op.key, Some(json!(604)));
    }

    #[test]
    fn every_field_and_value_kind_reads_as_serde_reads_it() {
        for line in [
            r#" { "index" : 0 , "time":0,"process":"nemesis","type":"info","f":"start","value":{"n1":["n2","n3"],"a":{}} } "#,
            r#"{"index":1,"time":2,"process":0,"type":"fail","f":"w","key":"k","value":[-3,1.5,-0,1e3,true,false,null,[]],"error":{"code":5},"node":"n1"}"#,
            r#"{"index":1,"time":2,"process":0,"type":"invoke","f":"w","key":null,"error":null,"node":null}"#,
            r#"{"index":1,"time":2,"process":0,"type":"invoke","f":"a\"b\\c\u00e9","value":"x\ny","rev":7,"odd key":[1]}"#,
            r#"{"ind\u0065x":1,"time":2,"process":"nemesis","type":"ok","f":"r","value":18446744073709551616}"#,
            r#"{"index":1,"time":2,"process":0,"type":"ok","f":"r","value":{"a":1,"a":2}}"#,
            r#"{"index":1,"time":2,"process":0,"type":"ok","f":"r","value":-9223372036854775808}"#,
        ] {
            assert_eq!(parse(line.as_bytes()), by_serde(line), "{line}");
            assert!(parse(line.as_bytes()).is_some(), "{line}");
        }
    }

    #[test]
    fn bad_or_unusual_lines_are_left_to_serde() {
        for line in [
            "",
            "{}",
            "[]",
            r#"{"index":0,"time":0,"process":1,"type":"invoke"}"#,
            r#"{"index":0,"index":1,"time":0,"process":1,"type":"invoke","f":"r"}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","x":1,"x":2}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","key":1,"key":null}"#,
            r#"{"index":01,"time":0,"process":1,"type":"invoke","f":"r"}"#,
            r#"{"index":1.0,"time":0,"process":1,"type":"invoke","f":"r"}"#,
            r#"{"index":-1,"time":0,"process":1,"type":"invoke","f":"r"}"#,
            r#"{"index":0,"time":0,"process":-1,"type":"invoke","f":"r"}"#,
            r#"{"index":0,"time":0,"process":"n1","type":"invoke","f":"r"}"#,
            r#"{"index":0,"time":0,"process":"nem\u0065sis","type":"\u006fk","f":"r"}"#,
            r#"{"index":0,"time":0,"process":1,"type":"Invoke","f":"r"}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":3}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","node":3}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","value":[1,]}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","value":01}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","value":1-2}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","value":"a	b"}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","value":"\x"}"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r"} x"#,
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r""#,
            r#"{"index":18446744073709551616,"time":0,"process":1,"type":"invoke","f":"r"}"#,
        ] {
            assert_eq!(parse(line.as_bytes()), None, "{line}");
        }
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_left_to_serde() {
        let deep = |n: usize| {
            format!(
                r#"{{"index":0,"time":0,"process":1,"type":"ok","f":"r","value":{}{}}}"#,
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        assert!(parse(deep(MAX_DEPTH as usize).as_bytes()).is_some());
        assert_eq!(parse(deep(MAX_DEPTH as usize + 1).as_bytes()), None);
        assert_eq!(parse(deep(200).as_bytes()), None);
    }
}
