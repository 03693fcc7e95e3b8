//! Reading a whole JSONL history on all cores: the input is taken in chunks of whole lines (a few
//! megabytes, so the text is never held whole), each chunk is cut at line ends into one part per
//! thread, and the parts are parsed at once and joined in order. Errors are those the first bad
//! line gives, as when reading line by line.

use super::reader::{parse_op, JsonlReader, Site};
use crate::{HistoryError, Op};
use std::io::BufRead;
use std::path::Path;

/// Bytes of text per chunk.
const CHUNK_BYTES: usize = 8 << 20;

/// Below this many bytes a chunk is parsed on the calling thread alone.
const SMALL_CHUNK: usize = 256 << 10;

/// Appends every op left in `reader` to `ops`, and the line of each to `lines`.
pub fn read_rest<R: BufRead>(
    reader: &mut JsonlReader<R>,
    ops: &mut Vec<Op>,
    lines: &mut Vec<u32>,
) -> Result<(), HistoryError> {
    if let Some((op, line)) = reader.take_first_op() {
        ops.push(op);
        lines.push(line);
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let file = reader.file().map(Path::to_path_buf);
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + (64 << 10));
    while let Some(first_line) = reader.next_chunk(CHUNK_BYTES, &mut chunk)? {
        let parts = if chunk.len() < SMALL_CHUNK {
            1
        } else {
            threads
        };
        let pieces = split_at_line_ends(&chunk, parts, first_line);
        let file = file.as_deref();
        let parsed: Vec<Result<Part, HistoryError>> = std::thread::scope(|scope| {
            let mut handles = Vec::new();
            for &(piece, line) in &pieces[1..] {
                handles.push(scope.spawn(move || parse_part(piece, line, file)));
            }
            let (piece, line) = pieces[0];
            let mut results = vec![parse_part(piece, line, file)];
            for handle in handles {
                results.push(
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            results
        });
        for part in parsed {
            let part = part?;
            ops.extend(part.ops);
            lines.extend(part.lines);
        }
    }
    Ok(())
}

/// Cuts `chunk` into at most `parts` pieces that end at line ends, each with its first line.
fn split_at_line_ends(chunk: &[u8], parts: usize, first_line: u32) -> Vec<(&[u8], u32)> {
    let mut pieces = Vec::with_capacity(parts);
    let mut start = 0;
    let mut line = first_line;
    for i in 1..parts {
        let aim = (chunk.len() * i / parts).max(start);
        let Some(nl) = memchr::memchr(b'\n', &chunk[aim..]) else {
            break;
        };
        let end = aim + nl + 1;
        pieces.push((&chunk[start..end], line));
        line += memchr::memchr_iter(b'\n', &chunk[start..end]).count() as u32;
        start = end;
    }
    pieces.push((&chunk[start..], line));
    pieces
}

/// The ops of one piece of text and their lines.
struct Part {
    ops: Vec<Op>,
    lines: Vec<u32>,
}

fn parse_part(text: &[u8], first_line: u32, file: Option<&Path>) -> Result<Part, HistoryError> {
    let estimate = text.len() / 64 + 1;
    let mut part = Part {
        ops: Vec::with_capacity(estimate),
        lines: Vec::with_capacity(estimate),
    };
    for (line, raw) in (first_line..).zip(text.split_inclusive(|&b| b == b'\n')) {
        let body = raw.strip_suffix(b"\n").unwrap_or(raw);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        if !body.iter().all(u8::is_ascii_whitespace) {
            part.ops.push(parse_op(body, &Site { file, line })?);
            part.lines.push(line);
        }
    }
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_end_at_line_ends_and_know_their_first_line() {
        let text = b"a\nbb\nccc\ndddd\ne";
        let pieces = split_at_line_ends(text, 3, 10);
        let joined: Vec<u8> = pieces.iter().flat_map(|(p, _)| p.iter().copied()).collect();
        assert_eq!(joined, text);
        for (piece, line) in &pieces[..pieces.len() - 1] {
            assert!(piece.ends_with(b"\n"));
            let first = piece.split(|&b| b == b'\n').next().unwrap();
            let expect = text
                .split(|&b| b == b'\n')
                .position(|l| l == first)
                .unwrap() as u32
                + 10;
            assert_eq!(*line, expect);
        }
    }

    #[test]
    fn more_parts_than_lines_leave_no_piece_out() {
        let pieces = split_at_line_ends(b"x\n", 4, 1);
        let total: usize = pieces.iter().map(|(p, _)| p.len()).sum();
        assert_eq!(total, 2);
    }
}
