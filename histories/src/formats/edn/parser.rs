//! A small EDN reader that knows where it is: every error names the line and column and says what
//! was expected. It never panics, whatever the input, and limits nesting depth so that garbage such
//! as ten thousand `[` cannot overflow the stack.

use super::value::Edn;
use crate::{HistoryError, Location};

/// How deep collections may nest. Real histories nest three or four levels.
const MAX_DEPTH: u32 = 256;

/// A cursor over EDN text.
pub struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    /// A parser at the start of `text`, which is line 1.
    pub fn new(text: &'a str) -> Parser<'a> {
        Parser::at_line(text, 1)
    }

    /// A parser at the start of `text`, which is line `line` of some larger input.
    pub fn at_line(text: &'a str, line: u32) -> Parser<'a> {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line,
            line_start: 0,
            depth: 0,
        }
    }

    /// The current position as a location (no file).
    pub fn here(&self) -> Location {
        self.location_of(self.pos)
    }

    /// The text not yet read.
    pub fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// The next byte, if any (after [`Parser::skip_ws`], the start of the next form).
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// True when all input has been read.
    pub fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Moves `n` bytes forward on the current line (the caller knows they hold no newline and end
    /// on a character boundary).
    pub fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.bytes.len());
    }

    /// Consumes one byte (the caller has checked it with [`Parser::peek`]).
    pub fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
            self.line_start = self.pos + 1;
        }
        self.pos += 1;
    }

    /// A syntax error at the current position.
    pub fn error(&self, message: impl Into<String>) -> HistoryError {
        self.error_at(self.here(), message)
    }

    /// A syntax error at `at`.
    pub fn error_at(&self, at: Location, message: impl Into<String>) -> HistoryError {
        HistoryError::Syntax {
            at,
            message: message.into(),
        }
    }

    fn location_of(&self, pos: usize) -> Location {
        let end = pos.min(self.bytes.len());
        let start = self.line_start.min(end);
        let column = self.bytes[start..end]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        Location {
            file: None,
            line: self.line as usize,
            column: column + 1,
        }
    }

    /// Skips whitespace, commas and `;` comments.
    pub fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b',' | 0x0C => self.bump(),
                b';' => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    /// Reads one value, skipping leading whitespace and comments.
    pub fn parse_value(&mut self) -> Result<Edn, HistoryError> {
        loop {
            self.skip_ws();
            let Some(b) = self.peek() else {
                return Err(self.error("unexpected end of input; expected a value"));
            };
            if b == b'#' && self.bytes.get(self.pos + 1) == Some(&b'_') {
                self.pos += 2;
                self.parse_value()?;
                continue;
            }
            return self.parse_form(b);
        }
    }

    fn parse_form(&mut self, b: u8) -> Result<Edn, HistoryError> {
        match b {
            b'[' => self.collection(b']', "vector").map(Edn::Vector),
            b'(' => self.collection(b')', "list").map(Edn::List),
            b'{' => self.map(),
            b'"' => self.string().map(Edn::Str),
            b'\\' => self.character().map(Edn::Char),
            b':' => self.keyword(),
            b'#' => self.dispatch(),
            b']' | b')' | b'}' => Err(self.error(format!(
                "unexpected '{}' with no collection open; expected a value",
                b as char
            ))),
            b'0'..=b'9' => self.number(),
            b'+' | b'-' if matches!(self.bytes.get(self.pos + 1), Some(b'0'..=b'9')) => {
                self.number()
            }
            _ if is_symbol_byte(b) => self.symbol(),
            _ => Err(self.error(format!(
                "unexpected character {:?}; expected a value",
                self.rest().chars().next().unwrap_or('?')
            ))),
        }
    }

    fn enter(&mut self) -> Result<(), HistoryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("collections nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// Reads the elements of a collection whose opening delimiter is at the cursor.
    fn collection(&mut self, close: u8, what: &str) -> Result<Vec<Edn>, HistoryError> {
        let open_at = self.here();
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => {
                    return Err(self.error(format!(
                        "unexpected end of input; the {what} opened at line {} column {} is not closed with '{}'",
                        open_at.line, open_at.column, close as char
                    )))
                }
                Some(c) if c == close => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(items);
                }
                Some(b']' | b')' | b'}') => {
                    return Err(self.error(format!(
                        "unexpected '{}'; expected a value or '{}' to close the {what} opened at line {} column {}",
                        self.rest().chars().next().unwrap_or('?'),
                        close as char,
                        open_at.line,
                        open_at.column
                    )))
                }
                Some(b'#') if self.bytes.get(self.pos + 1) == Some(&b'_') => {
                    self.pos += 2;
                    self.parse_value()?;
                }
                Some(c) => items.push(self.parse_form(c)?),
            }
        }
    }

    fn map(&mut self) -> Result<Edn, HistoryError> {
        let open_at = self.here();
        let items = self.collection(b'}', "map")?;
        if items.len() % 2 != 0 {
            return Err(self.error_at(
                open_at,
                format!(
                    "map has an odd number of forms ({}); expected key value pairs",
                    items.len()
                ),
            ));
        }
        let mut pairs = Vec::with_capacity(items.len() / 2);
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            pairs.push((k, v));
        }
        Ok(Edn::Map(pairs))
    }

    fn dispatch(&mut self) -> Result<Edn, HistoryError> {
        match self.bytes.get(self.pos + 1) {
            Some(b'{') => {
                self.pos += 1;
                self.collection(b'}', "set").map(Edn::Set)
            }
            Some(b'#') => {
                let at = self.here();
                self.pos += 2;
                let name = self.token();
                match name {
                    "Inf" => Ok(Edn::Float(f64::INFINITY)),
                    "-Inf" => Ok(Edn::Float(f64::NEG_INFINITY)),
                    "NaN" => Ok(Edn::Float(f64::NAN)),
                    other => Err(self.error_at(
                        at,
                        format!("unknown symbolic value ##{other}; expected ##Inf, ##-Inf or ##NaN"),
                    )),
                }
            }
            Some(&c) if c.is_ascii_alphabetic() => {
                self.pos += 1;
                let tag = self.token().to_string();
                let inner = self.parse_value()?;
                Ok(Edn::Tagged(tag, Box::new(inner)))
            }
            _ => Err(self.error(
                "unexpected '#'; expected #{ (set), #_ (discard), ##Inf/##NaN or #tag followed by a value",
            )),
        }
    }

    /// The run of bytes up to the next delimiter.
    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if is_delimiter(b) {
                break;
            }
            self.pos += 1;
        }
        // Delimiters are ASCII, so both ends are char boundaries.
        &self.text[start..self.pos]
    }

    fn keyword(&mut self) -> Result<Edn, HistoryError> {
        let at = self.here();
        self.pos += 1;
        let name = self.token();
        let name = name.strip_prefix(':').unwrap_or(name);
        if name.is_empty() {
            return Err(self.error_at(at, "a ':' must be followed by a keyword name"));
        }
        Ok(Edn::Keyword(name.to_string()))
    }

    fn symbol(&mut self) -> Result<Edn, HistoryError> {
        let name = self.token();
        Ok(match name {
            "nil" => Edn::Nil,
            "true" => Edn::Bool(true),
            "false" => Edn::Bool(false),
            other => Edn::Symbol(other.to_string()),
        })
    }

    fn number(&mut self) -> Result<Edn, HistoryError> {
        let at = self.here();
        let token = self.token();
        parse_number(token).ok_or_else(|| {
            self.error_at(
                at,
                format!("malformed number {token:?}; expected an integer or a float"),
            )
        })
    }

    fn string(&mut self) -> Result<String, HistoryError> {
        let open_at = self.here();
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b == b'\n' {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.peek() {
                None => {
                    return Err(self.error(format!(
                        "unexpected end of input; the string opened at line {} column {} is not closed with '\"'",
                        open_at.line, open_at.column
                    )))
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\n') => {
                    out.push('\n');
                    self.bump();
                }
                Some(_) => out.push(self.escape()?),
            }
        }
    }

    fn escape(&mut self) -> Result<char, HistoryError> {
        let at = self.here();
        self.pos += 1;
        let Some(b) = self.peek() else {
            return Err(self.error("unexpected end of input after '\\' in a string"));
        };
        self.pos += 1;
        Ok(match b {
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'u' => return self.unicode_escape(at),
            _ => {
                self.pos -= 1;
                return Err(self.error_at(
                    at,
                    format!(
                        "unknown escape '\\{}' in a string; expected one of \\n \\t \\r \\b \\f \\\" \\\\ \\uXXXX",
                        self.rest().chars().next().unwrap_or('?')
                    ),
                ));
            }
        })
    }

    fn unicode_escape(&mut self, at: Location) -> Result<char, HistoryError> {
        let hex = self.bytes.get(self.pos..self.pos + 4);
        let code = hex
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                self.pos += 4;
                Ok(c)
            }
            None => Err(self.error_at(
                at,
                "malformed \\u escape; expected four hex digits naming a character",
            )),
        }
    }

    fn character(&mut self) -> Result<char, HistoryError> {
        let at = self.here();
        self.pos += 1;
        let Some(first) = self.rest().chars().next() else {
            return Err(self.error_at(
                at,
                "unexpected end of input after '\\'; expected a character",
            ));
        };
        self.pos += first.len_utf8();
        if !first.is_ascii_alphanumeric() {
            return Ok(first);
        }
        // Named characters: \newline, \space, \uXXXX, ...; a lone letter is itself.
        let more = self.token();
        if more.is_empty() {
            return Ok(first);
        }
        let name = &self.text[self.pos - more.len() - first.len_utf8()..self.pos];
        let named = match name {
            "newline" => Some('\n'),
            "space" => Some(' '),
            "tab" => Some('\t'),
            "return" => Some('\r'),
            "formfeed" => Some('\u{c}'),
            "backspace" => Some('\u{8}'),
            _ if name.len() == 5 && name.starts_with('u') => u32::from_str_radix(&name[1..], 16)
                .ok()
                .and_then(char::from_u32),
            _ => None,
        };
        named.ok_or_else(|| {
            self.error_at(
                at,
                format!("unknown character literal \\{name}; expected \\newline, \\space, \\tab, \\uXXXX or one character"),
            )
        })
    }
}

/// Bytes that end a token.
fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b','
            | 0x0C
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'"'
            | b';'
            | b'\\'
    )
}

/// Bytes that may start a symbol (non-ASCII bytes are accepted as parts of names).
fn is_symbol_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0x80 || b"*+!-_?$%&=<>./'".contains(&b)
}

/// Interprets a numeric token: integers (any size, optional `N`), floats (optional `M`) and ratios.
fn parse_number(token: &str) -> Option<Edn> {
    if let Some(digits) = token.strip_suffix('N') {
        return parse_integer(digits);
    }
    if let Some(decimal) = token.strip_suffix('M') {
        return decimal.parse::<f64>().ok().map(Edn::Float);
    }
    if let Some((num, den)) = token.split_once('/') {
        let (n, d) = (num.parse::<f64>().ok()?, den.parse::<f64>().ok()?);
        return (d != 0.0).then(|| Edn::Float(n / d));
    }
    if token.contains(['.', 'e', 'E']) {
        return token.parse::<f64>().ok().map(Edn::Float);
    }
    parse_integer(token)
}

fn parse_integer(token: &str) -> Option<Edn> {
    if let Ok(i) = token.parse::<i64>() {
        return Some(Edn::Int(i));
    }
    let unsigned = token.strip_prefix('+').unwrap_or(token);
    let digits = unsigned.strip_prefix('-').unwrap_or(unsigned);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Edn::BigInt(unsigned.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Edn, HistoryError> {
        Parser::new(text).parse_value()
    }

    fn kw(k: &str) -> Edn {
        Edn::Keyword(k.to_string())
    }

    #[test]
    fn a_map_of_keywords_and_numbers_reads_in_file_order() {
        let v = read("{:process 4, :type :invoke, :value [1 -2]}").unwrap();
        assert_eq!(
            v,
            Edn::Map(vec![
                (kw("process"), Edn::Int(4)),
                (kw("type"), kw("invoke")),
                (kw("value"), Edn::Vector(vec![Edn::Int(1), Edn::Int(-2)])),
            ])
        );
    }

    #[test]
    fn scalars_of_every_kind_read() {
        assert_eq!(read("nil").unwrap(), Edn::Nil);
        assert_eq!(read("true").unwrap(), Edn::Bool(true));
        assert_eq!(read("-17").unwrap(), Edn::Int(-17));
        assert_eq!(read("1.5").unwrap(), Edn::Float(1.5));
        assert_eq!(read("2.5M").unwrap(), Edn::Float(2.5));
        assert_eq!(read("1/4").unwrap(), Edn::Float(0.25));
        assert_eq!(
            read("123456789012345678901234567890N").unwrap(),
            Edn::BigInt("123456789012345678901234567890".into())
        );
        assert_eq!(
            read("-99999999999999999999").unwrap(),
            Edn::BigInt("-99999999999999999999".into())
        );
        assert_eq!(read("\\a").unwrap(), Edn::Char('a'));
        assert_eq!(read("\\newline").unwrap(), Edn::Char('\n'));
        assert_eq!(read("\\u00e9").unwrap(), Edn::Char('é'));
        assert_eq!(
            read("foo.bar/baz").unwrap(),
            Edn::Symbol("foo.bar/baz".into())
        );
        assert_eq!(read(":a/b").unwrap(), kw("a/b"));
    }

    #[test]
    fn strings_resolve_their_escapes() {
        assert_eq!(
            read(r#""a\"b\\c\n\u00e9""#).unwrap(),
            Edn::Str("a\"b\\c\né".into())
        );
    }

    #[test]
    fn sets_lists_tags_comments_and_discards_read() {
        let v = read("; note\n(#{1 2} #_ :gone #inst \"2020\" ##Inf)").unwrap();
        assert_eq!(
            v,
            Edn::List(vec![
                Edn::Set(vec![Edn::Int(1), Edn::Int(2)]),
                Edn::Tagged("inst".into(), Box::new(Edn::Str("2020".into()))),
                Edn::Float(f64::INFINITY),
            ])
        );
    }

    #[test]
    fn an_unclosed_vector_names_where_it_was_opened() {
        let e = read("\n  [1 2").unwrap_err().to_string();
        assert!(e.contains(":2:7"), "{e}");
        assert!(e.contains("opened at line 2 column 3"), "{e}");
    }

    #[test]
    fn a_stray_closing_bracket_is_located_by_line_and_column() {
        let e = read("{:a 1\n :b ]}").unwrap_err().to_string();
        assert!(e.starts_with("<input>:2:5:"), "{e}");
        assert!(e.contains("expected a value or '}'"), "{e}");
    }

    #[test]
    fn a_map_with_an_odd_number_of_forms_is_refused() {
        let e = read("{:a 1 :b}").unwrap_err().to_string();
        assert!(e.contains("odd number"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        let e = read(&text).unwrap_err().to_string();
        assert!(e.contains("nested deeper"), "{e}");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = read("\"é\" ]").map(|_| ()).and_then(|_| read("[\"é\" ]]"));
        assert!(e.is_ok());
        let mut p = Parser::new("[\"é\"] ]");
        p.parse_value().unwrap();
        let e = p.parse_value().unwrap_err().to_string();
        assert!(e.starts_with("<input>:1:7:"), "{e}");
    }
}
