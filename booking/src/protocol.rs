//! The wire protocol: one JSON object per line, each request carrying an `id` that its reply
//! repeats. See booking/PROTOCOL.md for the full description.
//!
//! A request is `{"id": 7, "op": "book", "room": "101", "guest": "alice"}`; the reply is
//! `{"id": 7, "ok": true, "result": {...}}` or
//! `{"id": 7, "ok": false, "error": {"kind": "timeout", "definite": false, "message": "..."}}`.

use crate::command::{Command, Query};
use crate::error::BookingError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest request or reply line accepted, newline excluded.
pub const MAX_LINE: usize = 1 << 20;

/// A decoded request.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// A state-changing operation.
    Command(Command),
    /// A read-only operation.
    Query(Query),
    /// Ask the node for its [`Status`].
    Status,
    /// A message from peer node `from` to this node's replication strategy.
    Peer {
        /// Sending node's id.
        from: usize,
        /// Strategy-defined message.
        msg: Value,
    },
}

impl Request {
    /// The request as the JSON object sent on the wire (without its id).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(Outgoing {
            id: None,
            request: self,
        })
        .expect("requests serialise")
    }

    /// The request line sent on the wire with id `id`, newline excluded, serialised without an
    /// intermediate JSON tree.
    pub fn to_line(&self, id: u64) -> Vec<u8> {
        serde_json::to_vec(&Outgoing {
            id: Some(id),
            request: self,
        })
        .expect("requests serialise")
    }
}

/// A request with its id, as serialised on the wire.
#[derive(Serialize)]
struct Outgoing<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    #[serde(flatten)]
    request: &'a Request,
}

impl Serialize for Request {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        enum Other<'a> {
            Status,
            Peer { from: usize, msg: &'a Value },
        }
        match self {
            Request::Command(c) => c.serialize(s),
            Request::Query(q) => q.serialize(s),
            Request::Status => Other::Status.serialize(s),
            Request::Peer { from, msg } => Other::Peer { from: *from, msg }.serialize(s),
        }
    }
}

/// The fields every request has, read without building the rest of the request.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    op: Option<Value>,
}

/// Decode one request line into its id (if one could be read) and the request.
pub fn parse_request(line: &[u8]) -> (Option<u64>, Result<Request, BookingError>) {
    // serde would also read a struct from a JSON array: only objects are requests.
    let is_object = line.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let head: Result<Head, _> = if is_object {
        serde_json::from_slice(line)
    } else {
        serde_json::from_slice::<Value>(line).and_then(|_| {
            serde_json::from_str::<Head>("not an object").map_err(serde::de::Error::custom)
        })
    };
    let head: Head = match head {
        Ok(h) => h,
        Err(e) => {
            let what = if serde_json::from_slice::<Value>(line).is_ok() {
                "expected a JSON object".to_string()
            } else {
                format!("not JSON: {e}")
            };
            return (None, Err(BookingError::BadRequest(what)));
        }
    };
    let id = match head.id {
        Some(Value::Number(n)) if n.is_u64() => n.as_u64(),
        _ => {
            return (
                None,
                Err(BookingError::BadRequest(
                    "\"id\" must be a non-negative integer".into(),
                )),
            )
        }
    };
    let bad = |e: serde_json::Error| BookingError::BadRequest(e.to_string());
    let request = match head.op.as_ref().and_then(Value::as_str) {
        Some("book" | "cancel" | "write" | "cas" | "txn") => {
            serde_json::from_slice(line).map(Request::Command).map_err(bad)
        }
        Some("available" | "read") => serde_json::from_slice(line).map(Request::Query).map_err(bad),
        Some("status") => Ok(Request::Status),
        Some("peer") => {
            #[derive(Deserialize)]
            struct PeerRequest {
                from: usize,
                msg: Value,
            }
            serde_json::from_slice::<PeerRequest>(line)
                .map(|p| Request::Peer { from: p.from, msg: p.msg })
                .map_err(|e| {
                    BookingError::BadRequest(format!(
                        "peer requests need \"from\" (integer) and \"msg\": {e}"
                    ))
                })
        }
        Some(other) => Err(BookingError::BadRequest(format!(
            "unknown op {other:?}; expected book, cancel, available, read, write, cas, txn or status"
        ))),
        None => Err(BookingError::BadRequest("missing string field \"op\"".into())),
    };
    (id, request)
}

/// An error as sent on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireError {
    /// Machine-readable kind, see [`BookingError::kind`].
    pub kind: String,
    /// True if the operation definitely did not happen.
    pub definite: bool,
    /// Human-readable explanation.
    pub message: String,
}

impl From<&BookingError> for WireError {
    fn from(e: &BookingError) -> Self {
        WireError {
            kind: e.kind().into(),
            definite: e.is_definite(),
            message: e.to_string(),
        }
    }
}

/// A reply line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The request's id; `null` when the request's id could not be read.
    pub id: Option<u64>,
    /// True for a result, false for an error.
    pub ok: bool,
    /// The result, when `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// The error, when not `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<WireError>,
}

impl Reply {
    /// A successful reply.
    pub fn ok(id: Option<u64>, result: Value) -> Reply {
        Reply {
            id,
            ok: true,
            result: Some(result),
            error: None,
        }
    }

    /// An error reply.
    pub fn err(id: Option<u64>, e: &BookingError) -> Reply {
        Reply {
            id,
            ok: false,
            result: None,
            error: Some(e.into()),
        }
    }
}

/// What a node says about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The node's id.
    pub node: usize,
    /// Replication strategy (`sync`, `async`, `log`, `raft`, `gossip`).
    pub replication: String,
    /// Read level (`one`, `majority`, `all`).
    pub read: String,
    /// The node's role: `primary`/`backup` (sync, async), `peer` (gossip), `leader`/`follower`/
    /// `candidate` (raft), `consumer` (log).
    pub role: String,
    /// Current term, where the strategy has terms.
    #[serde(default)]
    pub term: Option<u64>,
    /// Current leader or primary, where the strategy has one.
    #[serde(default)]
    pub leader: Option<usize>,
    /// Applied position: changes applied to this node's state (a log index for raft/log).
    pub applied: u64,
    /// Number of keys stored.
    pub keys: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_is_not_json_is_a_bad_request_without_id() {
        let (id, r) = parse_request(b"hello");
        assert_eq!(id, None);
        assert!(matches!(r, Err(BookingError::BadRequest(_))));
    }

    #[test]
    fn an_unknown_op_keeps_the_id() {
        let (id, r) = parse_request(br#"{"id":3,"op":"teleport"}"#);
        assert_eq!(id, Some(3));
        assert!(r.unwrap_err().to_string().contains("unknown op"));
    }

    #[test]
    fn wrong_types_are_a_bad_request() {
        let (id, r) = parse_request(br#"{"id":4,"op":"book","room":5,"guest":"a"}"#);
        assert_eq!(id, Some(4));
        assert!(matches!(r, Err(BookingError::BadRequest(_))));
    }

    #[test]
    fn a_json_value_that_is_not_an_object_is_a_bad_request() {
        let (id, r) = parse_request(b"[1,2]");
        assert_eq!(id, None);
        assert!(r
            .unwrap_err()
            .to_string()
            .contains("expected a JSON object"));
    }

    #[test]
    fn every_request_survives_a_round_trip_through_its_line() {
        let requests = [
            Request::Command(Command::Book {
                room: "5".into(),
                guest: "a".into(),
            }),
            Request::Query(Query::Read { key: "k".into() }),
            Request::Status,
            Request::Peer {
                from: 2,
                msg: serde_json::json!({"type": "fetch"}),
            },
        ];
        for (i, r) in requests.into_iter().enumerate() {
            let (id, back) = parse_request(&r.to_line(i as u64));
            assert_eq!(id, Some(i as u64));
            assert_eq!(back.unwrap(), r);
        }
    }

    #[test]
    fn a_book_request_decodes() {
        let (_, r) = parse_request(br#"{"id":1,"op":"book","room":"5","guest":"a"}"#);
        assert_eq!(
            r.unwrap(),
            Request::Command(Command::Book {
                room: "5".into(),
                guest: "a".into()
            })
        );
    }
}
