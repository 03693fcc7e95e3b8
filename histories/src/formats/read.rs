//! Reading a whole history from a file or a string, in a given or detected format.

use super::detect::{detect, Format};
use super::edn::read_edn;
use super::jepsen_log::read_jepsen_log;
use super::jsonl::JsonlReader;
use crate::{History, HistoryError, Location, Provenance};
use std::fs::File;
use std::io::{BufRead, Read, Seek, SeekFrom};
use std::path::Path;

/// How many leading bytes [`read_path`] looks at to detect the format.
const DETECT_BYTES: u64 = 64 * 1024;

/// Reads the history in `text`, in `format` or, when `None`, the format detected from its start.
pub fn read_str(text: &str, format: Option<Format>) -> Result<History, HistoryError> {
    let format = match format {
        Some(f) => f,
        None => detect(text).ok_or_else(unknown_format)?,
    };
    match format {
        Format::Jsonl => {
            let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
            read_jsonl(text.as_bytes(), None, lines)
        }
        Format::Edn | Format::PorcupineKv => read_edn(text),
        Format::JepsenLog => read_jepsen_log(text),
    }
}

/// Reads the history in the file at `path`, in `format` or, when `None`, the format detected from
/// its first bytes. Errors name the file. JSONL is read as a stream, one line at a time; the other
/// formats are read whole.
pub fn read_path(path: &Path, format: Option<Format>) -> Result<History, HistoryError> {
    let io = |source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    };
    let format = match format {
        Some(f) => f,
        None => {
            let mut head = Vec::new();
            File::open(path)
                .and_then(|f| f.take(DETECT_BYTES).read_to_end(&mut head))
                .map_err(io)?;
            let valid = match std::str::from_utf8(&head) {
                Ok(s) => s,
                Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
            };
            detect(valid).ok_or_else(|| unknown_format().in_file(path))?
        }
    };
    let mut history = if format == Format::Jsonl {
        let mut file = File::open(path).map_err(io)?;
        let expected_ops = estimate_lines(&mut file, path)?;
        let input = std::io::BufReader::with_capacity(1 << 16, file);
        read_jsonl(input, Some(path), expected_ops)?
    } else {
        let bytes = std::fs::read(path).map_err(io)?;
        let text = utf8(&bytes).map_err(|e| e.in_file(path))?;
        read_str(text, Some(format)).map_err(|e| e.in_file(path))?
    };
    history.provenance.file = Some(path.to_path_buf());
    Ok(history)
}

/// Reads a whole JSONL history; `expected_ops` sizes its vectors (a guess is fine).
fn read_jsonl<R: BufRead>(
    input: R,
    file: Option<&Path>,
    expected_ops: usize,
) -> Result<History, HistoryError> {
    let mut reader = JsonlReader::with_file(input, file.map(Path::to_path_buf))?;
    let mut ops = Vec::with_capacity(expected_ops);
    let mut lines = Vec::with_capacity(expected_ops);
    while let Some(op) = reader.next() {
        ops.push(op?);
        lines.push(reader.line());
    }
    let mut history = History::from_ops(ops);
    history.header = reader.header().clone();
    history.provenance = Provenance {
        file: file.map(Path::to_path_buf),
        lines,
        cut_short: reader.cut_short(),
    };
    Ok(history)
}

/// About how many lines the file holds, from its size and the line length of its first 64 KiB
/// (a little over, so that the vectors of ops seldom grow).
fn estimate_lines(file: &mut File, path: &Path) -> Result<usize, HistoryError> {
    let io = |source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = file.metadata().map_err(io)?.len();
    let mut head = Vec::new();
    file.by_ref()
        .take(DETECT_BYTES)
        .read_to_end(&mut head)
        .map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let lines = memchr::memchr_iter(b'\n', &head).count().max(1) as u64;
    let estimate = size * lines / (head.len() as u64).max(1);
    // No op line is shorter than about 50 bytes.
    Ok((estimate + estimate / 16 + 1).min(size / 50 + 1) as usize)
}

/// The text of `bytes`, or an error at the first byte that is not UTF-8.
fn utf8(bytes: &[u8]) -> Result<&str, HistoryError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = good[line_start..]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count()
            + 1;
        HistoryError::Syntax {
            at: Location {
                file: None,
                line,
                column,
            },
            message: "the input is not UTF-8 text".into(),
        }
    })
}

fn unknown_format() -> HistoryError {
    HistoryError::Syntax {
        at: Location {
            file: None,
            line: 1,
            column: 1,
        },
        message: "cannot tell the history's format; expected JSONL ({\"rift_history\":1, ...}), Jepsen EDN ([{:process 0, :type :invoke, ...}]), Porcupine kv EDN lines, or a Jepsen log (INFO jepsen.util - ...); give the format explicitly".into(),
    }
}
