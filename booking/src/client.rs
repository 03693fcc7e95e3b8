//! `Client`: the Rust client of the booking protocol, used by rift and by nodes to talk to peers.
//!
//! One TCP connection carries many requests at once (replies are matched by id). Each request has
//! a timeout. A dead connection is replaced by a new one on the next request. Every error names
//! the node's address and says whether the operation certainly did not happen
//! ([`BookingError::is_definite`]); when in doubt it says indefinite.

use crate::command::{Command, Query, Response, TxnOp};
use crate::error::BookingError;
use crate::protocol::{Reply, Request, Status, MAX_LINE};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

/// Requests waiting for their reply, by id; `None` once the connection is closed (so a request
/// can tell, under the lock, whether it may still be sent on this connection).
type Pending = Arc<Mutex<Option<HashMap<u64, oneshot::Sender<Result<Reply, BookingError>>>>>>;

/// One live TCP connection: a writer task fed by a channel and a reader task routing replies.
#[derive(Debug)]
struct Connection {
    lines: mpsc::UnboundedSender<Vec<u8>>,
    pending: Pending,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Result<Connection, BookingError> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| BookingError::Connect {
                addr,
                reason: e.to_string(),
            })?;
        let _ = stream.set_nodelay(true);
        let (read, mut write) = stream.into_split();
        let (lines, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let pending: Pending = Arc::new(Mutex::new(Some(HashMap::new())));
        tokio::spawn(async move {
            while let Some(mut line) = rx.recv().await {
                // Coalesce whatever else is queued into one write.
                while let Ok(more) = rx.try_recv() {
                    line.extend_from_slice(&more);
                    if line.len() > 64 * 1024 {
                        break;
                    }
                }
                if write.write_all(&line).await.is_err() {
                    break;
                }
            }
        });
        let routes = pending.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(read);
            let mut line = Vec::new();
            let reason = loop {
                line.clear();
                match reader.read_until(b'\n', &mut line).await {
                    Ok(0) => break "closed by the server".to_string(),
                    Err(e) => break e.to_string(),
                    Ok(_) => {}
                }
                let reply: Reply = match serde_json::from_slice(&line) {
                    Ok(r) => r,
                    Err(e) => break format!("unreadable reply: {e}"),
                };
                let Some(id) = reply.id else {
                    break format!("reply without id: {:?}", reply.error);
                };
                let waiting = routes
                    .lock()
                    .expect("pending lock")
                    .as_mut()
                    .and_then(|p| p.remove(&id));
                if let Some(tx) = waiting {
                    let _ = tx.send(Ok(reply));
                }
            };
            let waiting = routes
                .lock()
                .expect("pending lock")
                .take()
                .unwrap_or_default();
            for (_, tx) in waiting {
                let _ = tx.send(Err(BookingError::ConnectionLost {
                    addr,
                    reason: reason.clone(),
                }));
            }
        });
        Ok(Connection { lines, pending })
    }

    fn is_alive(&self) -> bool {
        !self.lines.is_closed() && self.pending.lock().expect("pending lock").is_some()
    }

    /// Register `id` as waiting; `None` if the connection has closed (nothing was sent).
    fn wait_for(&self, id: u64) -> Option<oneshot::Receiver<Result<Reply, BookingError>>> {
        let (tx, rx) = oneshot::channel();
        self.pending
            .lock()
            .expect("pending lock")
            .as_mut()?
            .insert(id, tx);
        Some(rx)
    }

    fn forget(&self, id: u64) {
        if let Some(p) = self.pending.lock().expect("pending lock").as_mut() {
            p.remove(&id);
        }
    }
}

/// A client of one booking node.
#[derive(Debug)]
pub struct Client {
    addr: SocketAddr,
    timeout: Duration,
    conn: tokio::sync::Mutex<Option<Arc<Connection>>>,
    next_id: AtomicU64,
}

impl Client {
    /// Connect to the node at `addr`; every request will wait at most `timeout` for its reply.
    pub async fn connect(addr: SocketAddr, timeout: Duration) -> Result<Client, BookingError> {
        let conn = Connection::open(addr).await?;
        Ok(Client {
            addr,
            timeout,
            conn: tokio::sync::Mutex::new(Some(Arc::new(conn))),
            next_id: AtomicU64::new(1),
        })
    }

    /// A client that connects on its first request (used between peers, which start in any
    /// order).
    pub fn lazy(addr: SocketAddr, timeout: Duration) -> Client {
        Client {
            addr,
            timeout,
            conn: tokio::sync::Mutex::new(None),
            next_id: AtomicU64::new(1),
        }
    }

    /// The node's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    async fn connection(&self) -> Result<Arc<Connection>, BookingError> {
        let mut guard = self.conn.lock().await;
        if let Some(c) = guard.as_ref().filter(|c| c.is_alive()) {
            return Ok(c.clone());
        }
        let c = Arc::new(
            tokio::time::timeout(self.timeout, Connection::open(self.addr))
                .await
                .map_err(|_| BookingError::Connect {
                    addr: self.addr,
                    reason: format!("connect timed out after {} ms", self.timeout.as_millis()),
                })??,
        );
        *guard = Some(c.clone());
        Ok(c)
    }

    /// Send `request` and return the reply's result.
    pub async fn request(&self, request: &Request) -> Result<Value, BookingError> {
        self.request_with_timeout(request, self.timeout).await
    }

    /// Send `request`, waiting at most `timeout` for the reply, and return its result.
    pub async fn request_with_timeout(
        &self,
        request: &Request,
        timeout: Duration,
    ) -> Result<Value, BookingError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut line = request.to_line(id);
        if line.len() > MAX_LINE {
            return Err(BookingError::TooLarge {
                addr: self.addr,
                len: line.len(),
                limit: MAX_LINE,
            });
        }
        line.push(b'\n');
        // A connection found closed before the request was registered on it is replaced (the
        // request was not sent); one attempt at a fresh connection.
        let mut attempt = 0;
        let (conn, rx) = loop {
            let conn = self.connection().await?;
            match conn.wait_for(id) {
                Some(rx) => break (conn, rx),
                None if attempt == 0 => attempt += 1,
                None => {
                    return Err(BookingError::Connect {
                        addr: self.addr,
                        reason: "connection closed as soon as it was made".into(),
                    })
                }
            }
        };
        if conn.lines.send(line).is_err() {
            conn.forget(id);
            return Err(BookingError::ConnectionLost {
                addr: self.addr,
                reason: "connection closed while sending".into(),
            });
        }
        let reply = match tokio::time::timeout(timeout, rx).await {
            Err(_) => {
                conn.forget(id);
                return Err(BookingError::NoReply {
                    addr: self.addr,
                    millis: timeout.as_millis() as u64,
                });
            }
            Ok(Err(_)) => {
                return Err(BookingError::ConnectionLost {
                    addr: self.addr,
                    reason: "reply channel dropped".into(),
                })
            }
            Ok(Ok(r)) => r?,
        };
        match (reply.ok, reply.result, reply.error) {
            (true, Some(result), _) => Ok(result),
            (false, _, Some(e)) => Err(BookingError::Server {
                addr: self.addr,
                kind: e.kind,
                message: e.message,
                definite: e.definite,
            }),
            _ => Err(self.protocol("reply has neither result nor error")),
        }
    }

    fn protocol(&self, reason: impl Into<String>) -> BookingError {
        BookingError::Protocol {
            addr: self.addr,
            reason: reason.into(),
        }
    }

    fn response(&self, v: Value) -> Result<Response, BookingError> {
        serde_json::from_value(v).map_err(|e| self.protocol(e.to_string()))
    }

    /// Run a command and return its full response.
    pub async fn command(&self, cmd: Command) -> Result<Response, BookingError> {
        let v = self.request(&Request::Command(cmd)).await?;
        self.response(v)
    }

    /// Run a query and return its full response.
    pub async fn query(&self, q: Query) -> Result<Response, BookingError> {
        let v = self.request(&Request::Query(q)).await?;
        self.response(v)
    }

    /// Book `room` for `guest`; true if booked, false if the room was taken.
    pub async fn book(&self, room: &str, guest: &str) -> Result<bool, BookingError> {
        match self
            .command(Command::Book {
                room: room.into(),
                guest: guest.into(),
            })
            .await?
        {
            Response::Booked { booked, .. } => Ok(booked),
            other => Err(self.protocol(format!("expected booked, got {other:?}"))),
        }
    }

    /// Cancel `guest`'s booking of `room`; true if the guest held it.
    pub async fn cancel(&self, room: &str, guest: &str) -> Result<bool, BookingError> {
        match self
            .command(Command::Cancel {
                room: room.into(),
                guest: guest.into(),
            })
            .await?
        {
            Response::Cancelled { cancelled, .. } => Ok(cancelled),
            other => Err(self.protocol(format!("expected cancelled, got {other:?}"))),
        }
    }

    /// Who holds `room`: empty if free; several guests when conflicting bookings were kept.
    pub async fn available(&self, room: &str) -> Result<Vec<String>, BookingError> {
        match self.query(Query::Available { room: room.into() }).await? {
            Response::Availability { holders, .. } => Ok(holders),
            other => Err(self.protocol(format!("expected availability, got {other:?}"))),
        }
    }

    /// The value of register `key` (`null` if never written).
    pub async fn read(&self, key: &str) -> Result<Value, BookingError> {
        match self.query(Query::Read { key: key.into() }).await? {
            Response::Value { value, .. } => Ok(value),
            other => Err(self.protocol(format!("expected value, got {other:?}"))),
        }
    }

    /// Set register `key` to `value`.
    pub async fn write(&self, key: &str, value: Value) -> Result<(), BookingError> {
        match self
            .command(Command::Write {
                key: key.into(),
                value,
            })
            .await?
        {
            Response::Written => Ok(()),
            other => Err(self.protocol(format!("expected written, got {other:?}"))),
        }
    }

    /// Set register `key` to `new` if it holds `old`; true if swapped.
    pub async fn cas(&self, key: &str, old: Value, new: Value) -> Result<bool, BookingError> {
        match self
            .command(Command::Cas {
                key: key.into(),
                old,
                new,
            })
            .await?
        {
            Response::Swapped { swapped, .. } => Ok(swapped),
            other => Err(self.protocol(format!("expected swapped, got {other:?}"))),
        }
    }

    /// Run a list-append transaction; returns the micro-ops with reads filled in.
    pub async fn txn(&self, ops: Vec<TxnOp>) -> Result<Vec<TxnOp>, BookingError> {
        match self.command(Command::Txn { ops }).await? {
            Response::Txn { ops } => Ok(ops),
            other => Err(self.protocol(format!("expected txn, got {other:?}"))),
        }
    }

    /// The node's status.
    pub async fn status(&self) -> Result<Status, BookingError> {
        let v = self.request(&Request::Status).await?;
        serde_json::from_value(v).map_err(|e| self.protocol(e.to_string()))
    }

    /// Send a peer message as node `from`; returns the strategy's answer.
    pub async fn peer(&self, from: usize, msg: Value) -> Result<Value, BookingError> {
        self.request(&Request::Peer { from, msg }).await
    }
}
