//! Reading a whole Jepsen EDN history: a vector or list of ops, or a bare sequence of ops (one map
//! per line, as in Porcupine's kv files, or `[process type f value]` tuples), with `;` comments.

use super::op_map::{op_from_edn, ImportedOp};
use super::parser::Parser;
use super::writer::HEADER_COMMENT;
use crate::{Header, History, HistoryError, Location, Op, OpType, Process, Provenance};

/// The history in `text`. Each op's line is recorded in the history's provenance.
///
/// A first line `; rift header: {...}` (as [`super::write_edn`] writes it) gives the history's
/// header; any other comment is ignored.
pub fn read_edn(text: &str) -> Result<History, HistoryError> {
    let header = read_header_comment(text)?;
    let mut p = Parser::new(text);
    let mut ops: Vec<(ImportedOp, Location)> = Vec::new();
    loop {
        p.skip_ws();
        let Some(b) = p.peek() else { break };
        match b {
            b'[' | b'(' if opens_a_collection_of_ops(&p) => read_collection(&mut p, b, &mut ops)?,
            b'[' | b'(' | b'{' | b'#' => read_op(&mut p, &mut ops)?,
            _ => {
                return Err(p.error(
                    "expected a history: a vector or list of op maps, op maps one per line, or [process type f value] tuples",
                ))
            }
        }
    }
    let mut history = assemble(ops)?;
    if let Some(header) = header {
        history.header = header;
    }
    Ok(history)
}

/// The header in a first line `; rift header: {...}`, if there is one.
fn read_header_comment(text: &str) -> Result<Option<Header>, HistoryError> {
    let first = text.lines().next().unwrap_or("");
    let Some(json) = first.strip_prefix(HEADER_COMMENT) else {
        return Ok(None);
    };
    serde_json::from_str(json)
        .map(Some)
        .map_err(|e| HistoryError::Syntax {
            at: Location {
                file: None,
                line: 1,
                column: HEADER_COMMENT.len() + e.column(),
            },
            message: format!(
                "expected a JSON header {{\"rift_history\":1, ...}} after '{}': {e}",
                HEADER_COMMENT.trim()
            ),
        })
}

/// True when the `[` or `(` at the cursor opens a collection of ops rather than one op tuple: its
/// first element is itself a map or collection (or there is none).
fn opens_a_collection_of_ops(p: &Parser) -> bool {
    let mut inner = Parser::new(&p.rest()[1..]);
    inner.skip_ws();
    matches!(
        inner.peek(),
        None | Some(b'{' | b'[' | b'(' | b'#' | b']' | b')')
    )
}

fn read_collection(
    p: &mut Parser,
    open: u8,
    ops: &mut Vec<(ImportedOp, Location)>,
) -> Result<(), HistoryError> {
    let (close, what) = if open == b'[' {
        (b']', "vector")
    } else {
        (b')', "list")
    };
    let opened = p.here();
    p.bump();
    loop {
        p.skip_ws();
        match p.peek() {
            None => {
                return Err(p.error(format!(
                    "unexpected end of input; the {what} of ops opened at line {} column {} is not closed with '{}'",
                    opened.line, opened.column, close as char
                )))
            }
            Some(c) if c == close => {
                p.bump();
                return Ok(());
            }
            Some(_) => read_op(p, ops)?,
        }
    }
}

fn read_op(p: &mut Parser, ops: &mut Vec<(ImportedOp, Location)>) -> Result<(), HistoryError> {
    let at = p.here();
    let value = p.parse_value()?;
    let op =
        op_from_edn(&value, ops.len() as u64).map_err(|message| p.error_at(at.clone(), message))?;
    ops.push((op, at));
    Ok(())
}

/// Builds the history, giving ops without a `:process` a process of their own: each such call gets
/// a fresh client id above every explicit one, and a process-less completion completes the one
/// process-less call that is open. Two open process-less calls cannot be told apart: an error.
fn assemble(imported: Vec<(ImportedOp, Location)>) -> Result<History, HistoryError> {
    let mut next_id = imported
        .iter()
        .filter_map(|(i, _)| match i.op.process {
            Process::Client(p) if i.process_given => Some(p + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut open: Option<(u64, Location)> = None;
    let mut ops: Vec<Op> = Vec::with_capacity(imported.len());
    let mut lines = Vec::with_capacity(imported.len());
    for (
        ImportedOp {
            mut op,
            process_given,
        },
        at,
    ) in imported
    {
        if !process_given {
            let id = match (op.kind, open.take()) {
                (OpType::Invoke, Some((_, first))) => {
                    return Err(HistoryError::Syntax {
                        message: format!(
                            "this op has no :process and neither has the call invoked at line {}, which is still open; their completions could not be told apart (add :process)",
                            first.line
                        ),
                        at,
                    })
                }
                (OpType::Invoke, None) => {
                    open = Some((next_id, at.clone()));
                    next_id += 1;
                    next_id - 1
                }
                (_, Some((id, _))) => id,
                (_, None) => {
                    next_id += 1;
                    next_id - 1
                }
            };
            op.process = Process::Client(id);
        }
        lines.push(at.line as u32);
        ops.push(op);
    }
    let mut history = History::from_ops(ops);
    history.provenance = Provenance {
        lines,
        ..Provenance::default()
    };
    Ok(history)
}
