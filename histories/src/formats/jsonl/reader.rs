//! Streaming reader of rift's native JSONL histories.

use super::op_line;
use crate::{Header, HistoryError, Location, Op, FORMAT_VERSION};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Reads a JSONL history one line at a time: the header when created, then one
/// `Result<Op, HistoryError>` per op line. The text is never held whole in memory: a line that
/// lies whole in the input's buffer is parsed where it lies, and only a line that straddles two
/// buffer fills is copied, into one reused buffer.
///
/// A first line without `"rift_history"` is read as an op (a history without a header gets the
/// default header). Blank lines are skipped. After an error the iterator ends.
///
/// A last op line without its newline that is not a whole op is what a writer killed in the
/// middle of an append leaves (a prefix of a JSON object never parses): it ends the ops without an
/// error, and [`JsonlReader::cut_short`] names its line so that callers can say so. Anywhere
/// else a line that does not parse is an error.
pub struct JsonlReader<R: BufRead> {
    input: R,
    /// Bytes of the input's buffer to consume before reading on: the line last returned.
    pending: usize,
    /// A line that straddles buffer fills, gathered here.
    partial: Vec<u8>,
    line: u32,
    header: Header,
    file: Option<PathBuf>,
    first_op: Option<Op>,
    finished: bool,
    cut_short: Option<u32>,
}

impl JsonlReader<BufReader<File>> {
    /// Opens `path` and reads its header; errors name the file.
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        let file = File::open(path).map_err(|source| HistoryError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        JsonlReader::with_file(
            BufReader::with_capacity(1 << 16, file),
            Some(path.to_path_buf()),
        )
    }
}

impl<R: BufRead> JsonlReader<R> {
    /// Reads the header from `input`.
    pub fn new(input: R) -> Result<Self, HistoryError> {
        JsonlReader::with_file(input, None)
    }

    /// Reads the header from `input`, which was opened from `file` (named in errors).
    pub fn with_file(input: R, file: Option<PathBuf>) -> Result<Self, HistoryError> {
        let mut reader = JsonlReader {
            input,
            pending: 0,
            partial: Vec::new(),
            line: 0,
            header: Header::default(),
            file,
            first_op: None,
            finished: false,
            cut_short: None,
        };
        let first = match reader.next_line()? {
            None => None,
            Some(line) => Some(first_line(line.bytes, &line.site)?),
        };
        match first {
            None => reader.finished = true,
            Some(First::Header(header)) => reader.header = header,
            Some(First::Op(op)) => reader.first_op = Some(*op),
        }
        Ok(reader)
    }

    /// The history's header (the default one when the input had none).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The line (from 1) of the op last returned.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The line (from 1) of a last line that was cut short (no newline, not a whole op) and so
    /// was not read; `None` when there is none (or not yet: it is known once the ops have ended).
    pub fn cut_short(&self) -> Option<u32> {
        self.cut_short
    }

    /// The file being read, if known.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The next non-blank line, without its line end; `None` at the end of the input.
    fn next_line(&mut self) -> Result<Option<Line<'_>>, HistoryError> {
        self.input.consume(std::mem::take(&mut self.pending));
        self.partial.clear();
        let found = loop {
            let (len, newline) = {
                let available = fill(&mut self.input, &self.file)?;
                (available.len(), memchr::memchr(b'\n', available))
            };
            match newline {
                Some(end) if self.partial.is_empty() => {
                    self.line += 1;
                    if is_blank(&fill(&mut self.input, &self.file)?[..end]) {
                        self.input.consume(end + 1);
                        continue;
                    }
                    break Found::InBuffer(end);
                }
                Some(end) => {
                    self.line += 1;
                    self.partial
                        .extend_from_slice(&fill(&mut self.input, &self.file)?[..end]);
                    self.input.consume(end + 1);
                    if is_blank(&self.partial) {
                        self.partial.clear();
                        continue;
                    }
                    break Found::InPartial;
                }
                None if len == 0 => {
                    if is_blank(&self.partial) {
                        return Ok(None);
                    }
                    self.line += 1;
                    break Found::Unterminated;
                }
                None => {
                    self.partial
                        .extend_from_slice(fill(&mut self.input, &self.file)?);
                    self.input.consume(len);
                }
            }
        };
        let bytes = match found {
            Found::InBuffer(end) => {
                self.pending = end + 1;
                &fill(&mut self.input, &self.file)?[..end]
            }
            Found::InPartial | Found::Unterminated => &self.partial[..],
        };
        Ok(Some(Line {
            bytes: bytes.strip_suffix(b"\r").unwrap_or(bytes),
            terminated: !matches!(found, Found::Unterminated),
            site: Site {
                file: self.file.as_deref(),
                line: self.line,
            },
        }))
    }
}

/// Where the next line was found.
enum Found {
    /// In the input's buffer, ending (before its newline) at this offset.
    InBuffer(usize),
    /// In the partial-line buffer.
    InPartial,
    /// In the partial-line buffer: the input's last line, which has no newline.
    Unterminated,
}

/// One line of input and where it is.
struct Line<'a> {
    bytes: &'a [u8],
    /// Whether a newline ended it (only the input's last line may lack one).
    terminated: bool,
    site: Site<'a>,
}

/// The input's buffered bytes, filling the buffer when it is empty.
fn fill<'a, R: BufRead>(
    input: &'a mut R,
    file: &Option<PathBuf>,
) -> Result<&'a [u8], HistoryError> {
    input.fill_buf().map_err(|source| HistoryError::Io {
        path: file.clone().unwrap_or_else(|| "<input>".into()),
        source,
    })
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// The line being parsed, made into a [`Location`] only when there is an error to report.
struct Site<'a> {
    file: Option<&'a Path>,
    line: u32,
}

impl Site<'_> {
    fn at(&self, column: usize) -> Location {
        Location {
            file: self.file.map(Path::to_path_buf),
            line: self.line as usize,
            column,
        }
    }
}

/// The first line: a header, or (in a history without one) an op.
enum First {
    Header(Header),
    Op(Box<Op>),
}

fn first_line(line: &[u8], at: &Site) -> Result<First, HistoryError> {
    if memchr::memmem::find(line, b"\"rift_history\"").is_none() {
        return parse_op(line, at).map(|op| First::Op(Box::new(op)));
    }
    let header: Header = parse_json(
        utf8(line, at)?,
        at,
        "expected the header {\"rift_history\":1, ...}",
    )?;
    if header.rift_history != FORMAT_VERSION {
        return Err(HistoryError::Syntax {
            at: at.at(1),
            message: format!(
                "history format version {} is not supported; this rift reads version {FORMAT_VERSION}",
                header.rift_history
            ),
        });
    }
    Ok(First::Header(header))
}

/// Parses an op line: on the fast path when it can (see `op_line.rs`), else with serde, which
/// also locates and explains what is wrong with a bad line.
#[inline(always)]
fn parse_op(line: &[u8], at: &Site) -> Result<Op, HistoryError> {
    if let Some(op) = op_line::parse(line) {
        return Ok(op);
    }
    parse_json(
        utf8(line, at)?,
        at,
        "expected an op {\"index\":..,\"time\":..,\"process\":..,\"type\":..,\"f\":..,\"value\":..}",
    )
}

/// The text of a line for serde, checked to be UTF-8 as a whole (cheaper than serde_json checking
/// each string of it); a line that is not is refused at its first bad byte.
#[inline(always)]
fn utf8<'a>(line: &'a [u8], at: &Site) -> Result<&'a str, HistoryError> {
    std::str::from_utf8(line).map_err(|e| HistoryError::Syntax {
        at: at.at(line[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count()
            + 1),
        message: "the line is not UTF-8 text".into(),
    })
}

/// Parses one line of JSON with serde; errors say what was `expected` and where.
fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    at: &Site,
    expected: &str,
) -> Result<T, HistoryError> {
    serde_json::from_str(text).map_err(|e| {
        let detail = e.to_string();
        let detail = match detail.rfind(" at line ") {
            Some(cut) => &detail[..cut],
            None => &detail,
        };
        HistoryError::Syntax {
            at: at.at(e.column().max(1)),
            message: format!("{expected}: {detail}"),
        }
    })
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Op, HistoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(op) = self.first_op.take() {
            return Some(Ok(op));
        }
        if self.finished {
            return None;
        }
        let result = match self.next_line() {
            Ok(Some(line)) => match parse_op(line.bytes, &line.site) {
                Err(_) if !line.terminated => {
                    self.cut_short = Some(line.site.line);
                    self.finished = true;
                    return None;
                }
                parsed => parsed,
            },
            Ok(None) => {
                self.finished = true;
                return None;
            }
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.finished = true;
        }
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    const TEXT: &str = "{\"rift_history\":1,\"seed\":3}\n\n{\"index\":0,\"time\":5,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\r\n{\"index\":1,\"time\":6,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":2}";

    #[test]
    fn lines_split_across_buffer_fills_read_the_same_as_whole_ones() {
        for capacity in [1, 2, 3, 7, 64, 4096] {
            let input = BufReader::with_capacity(capacity, TEXT.as_bytes());
            let mut reader = JsonlReader::new(input).unwrap();
            assert_eq!(reader.header().meta["seed"], 3);
            let first = reader.next().unwrap().unwrap();
            assert_eq!((first.time, reader.line()), (5, 3));
            let second = reader.next().unwrap().unwrap();
            assert_eq!((second.value.as_u64(), reader.line()), (Some(2), 4));
            assert!(reader.next().is_none(), "capacity {capacity}");
        }
    }

    #[test]
    fn a_history_without_a_header_starts_with_its_first_op() {
        let text = TEXT.split_once('\n').unwrap().1;
        let reader = JsonlReader::new(text.as_bytes()).unwrap();
        assert!(reader.header().meta.is_empty());
        assert_eq!(reader.count(), 2);
    }

    #[test]
    fn an_empty_input_has_no_ops() {
        let mut reader = JsonlReader::new(&b""[..]).unwrap();
        assert!(reader.next().is_none());
    }

    #[test]
    fn a_last_line_cut_short_ends_the_ops_and_is_named() {
        let whole = TEXT.replace('\r', "");
        let cut = &whole[..whole.len() - 9];
        for capacity in [1, 5, 4096] {
            let mut reader =
                JsonlReader::new(BufReader::with_capacity(capacity, cut.as_bytes())).unwrap();
            assert_eq!(
                reader
                    .by_ref()
                    .map(|op| op.unwrap().time)
                    .collect::<Vec<_>>(),
                [5]
            );
            assert_eq!(reader.cut_short(), Some(4), "capacity {capacity}");
        }
        let whole_ops = JsonlReader::new(whole.as_bytes()).unwrap();
        assert_eq!(
            whole_ops.count(),
            2,
            "a whole last line without newline is read"
        );
    }

    #[test]
    fn a_bad_line_that_ends_with_a_newline_is_an_error_even_last() {
        let whole = TEXT.replace('\r', "");
        let text = format!("{}\n", &whole[..whole.len() - 9]);
        let mut reader = JsonlReader::new(text.as_bytes()).unwrap();
        assert!(reader.next().unwrap().is_ok());
        let e = reader.next().unwrap().unwrap_err().to_string();
        assert!(e.starts_with("<input>:4:"), "{e}");
        assert_eq!(reader.cut_short(), None);
    }

    #[test]
    fn reading_stops_after_an_error() {
        let text = "{\"rift_history\":1}\nnot json\n{\"index\":0,\"time\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"r\"}\n";
        let mut reader = JsonlReader::new(text.as_bytes()).unwrap();
        let e = reader.next().unwrap().unwrap_err().to_string();
        assert!(e.starts_with("<input>:2:"), "{e}");
        assert!(reader.next().is_none());
    }
}
