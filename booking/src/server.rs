//! The `server`: accepts TCP connections on the listen address and answers each request line,
//! client or peer, through the node's [`Replication`]. Requests on one connection are handled
//! concurrently; replies carry the request's id and may come back in any order.

use crate::error::BookingError;
use crate::protocol::{parse_request, Reply, Request, MAX_LINE};
use crate::replication::Replication;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Serve connections on `listener` forever.
pub async fn serve(listener: TcpListener, replication: Arc<dyn Replication>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(handle(stream, replication.clone()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// What reading one line gave.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// A complete line is in the buffer (newline removed).
    Complete,
    /// The line exceeded [`MAX_LINE`] and was skipped up to its newline.
    TooLong,
    /// The connection closed.
    Closed,
}

/// Read one line into `buf`, refusing (and skipping) lines longer than [`MAX_LINE`] without ever
/// holding more than that in memory.
async fn read_line<R: AsyncBufRead + Unpin>(r: &mut R, buf: &mut Vec<u8>) -> std::io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let available = r.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::Closed);
        }
        let (chunk, end) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !too_long && buf.len() + chunk.len() > MAX_LINE {
            too_long = true;
            buf.clear();
        }
        if !too_long {
            buf.extend_from_slice(chunk);
        }
        let consumed = end.unwrap_or(chunk.len());
        r.consume(consumed);
        if end.is_some() {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
    }
}

async fn handle(stream: TcpStream, replication: Arc<dyn Replication>) {
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(mut out) = rx.recv().await {
            while let Ok(more) = rx.try_recv() {
                out.extend_from_slice(&more);
                if out.len() > 64 * 1024 {
                    break;
                }
            }
            if write.write_all(&out).await.is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(read);
    let mut buf = Vec::new();
    loop {
        match read_line(&mut reader, &mut buf).await {
            Ok(Line::Closed) | Err(_) => break,
            Ok(Line::TooLong) => {
                send(
                    &tx,
                    &Reply::err(None, &BookingError::LineTooLong { limit: MAX_LINE }),
                );
            }
            Ok(Line::Complete) => {
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let (id, request) = parse_request(&buf);
                match request {
                    Err(e) => send(&tx, &Reply::err(id, &e)),
                    Ok(request) => {
                        let (tx, replication) = (tx.clone(), replication.clone());
                        tokio::spawn(async move {
                            let _ = tx.send(answer(id, request, replication.as_ref()).await);
                        });
                    }
                }
            }
        }
    }
}

fn send(tx: &mpsc::UnboundedSender<Vec<u8>>, reply: &Reply) {
    let mut line = serde_json::to_vec(reply).expect("replies serialise");
    line.push(b'\n');
    let _ = tx.send(line);
}

/// A successful reply, serialised straight from the result (no intermediate JSON tree).
#[derive(serde::Serialize)]
struct OkReply<'a, T: serde::Serialize> {
    id: Option<u64>,
    ok: bool,
    result: &'a T,
}

fn ok_line<T: serde::Serialize>(id: Option<u64>, result: &T) -> Vec<u8> {
    let mut line = serde_json::to_vec(&OkReply {
        id,
        ok: true,
        result,
    })
    .expect("replies serialise");
    line.push(b'\n');
    line
}

async fn answer(id: Option<u64>, request: Request, replication: &dyn Replication) -> Vec<u8> {
    let result = match request {
        Request::Command(cmd) => replication.write(cmd).await.map(|r| ok_line(id, &r)),
        Request::Query(q) => replication.read(q).await.map(|r| ok_line(id, &r)),
        Request::Status => Ok(ok_line(id, &replication.status())),
        Request::Peer { from, msg } => replication.peer(from, msg).await.map(|v| ok_line(id, &v)),
    };
    result.unwrap_or_else(|e| {
        tracing::debug!(?id, error = %e, "request failed");
        let mut line = serde_json::to_vec(&Reply::err(id, &e)).expect("replies serialise");
        line.push(b'\n');
        line
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_overlong_line_is_skipped_and_the_next_line_is_read() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.extend_from_slice(b"\nnext\n");
        let mut r = BufReader::with_capacity(4096, input.as_slice());
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut r, &mut buf).await.unwrap(), Line::TooLong);
        assert_eq!(read_line(&mut r, &mut buf).await.unwrap(), Line::Complete);
        assert_eq!(buf, b"next");
        assert_eq!(read_line(&mut r, &mut buf).await.unwrap(), Line::Closed);
    }

    #[tokio::test]
    async fn a_line_of_exactly_the_limit_is_accepted() {
        let mut input = vec![b'y'; MAX_LINE];
        input.push(b'\n');
        let mut r = BufReader::with_capacity(1000, input.as_slice());
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut r, &mut buf).await.unwrap(), Line::Complete);
        assert_eq!(buf.len(), MAX_LINE);
    }
}
