//! The wire protocol: one JSON object per line, each request carrying an `id` that its reply
//! repeats. See booking/PROTOCOL.md for the full description.
//!
//! A request is `{"id": 7, "op": "book", "room": "101", "guest": "alice"}`; the reply is
//! `{"id": 7, "ok": true, "result": {...}}` or
//! `{"id": 7, "ok": false, "error": {"kind": "timeout", "definite": false, "message": "..."}}`.

use crate::command::{Command, Query};
use crate::error::NodeError;
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
        match self {
            Request::Command(c) => serde_json::to_value(c).expect("commands serialise"),
            Request::Query(q) => serde_json::to_value(q).expect("queries serialise"),
            Request::Status => serde_json::json!({"op": "status"}),
            Request::Peer { from, msg } => {
                serde_json::json!({"op": "peer", "from": from, "msg": msg})
            }
        }
    }
}

/// Decode one request line into its id (if one could be read) and the request.
pub fn parse_request(line: &[u8]) -> (Option<u64>, Result<Request, NodeError>) {
    let value: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => return (None, Err(NodeError::BadRequest(format!("not JSON: {e}")))),
    };
    let Some(obj) = value.as_object() else {
        return (
            None,
            Err(NodeError::BadRequest("expected a JSON object".into())),
        );
    };
    let id = match obj.get("id") {
        Some(Value::Number(n)) if n.is_u64() => n.as_u64(),
        _ => {
            return (
                None,
                Err(NodeError::BadRequest(
                    "\"id\" must be a non-negative integer".into(),
                )),
            )
        }
    };
    let bad = |e: serde_json::Error| NodeError::BadRequest(e.to_string());
    let request = match obj.get("op").and_then(Value::as_str) {
        Some("book" | "cancel" | "write" | "cas" | "txn") => {
            serde_json::from_value(value.clone()).map(Request::Command).map_err(bad)
        }
        Some("available" | "read") => {
            serde_json::from_value(value.clone()).map(Request::Query).map_err(bad)
        }
        Some("status") => Ok(Request::Status),
        Some("peer") => match (obj.get("from").and_then(Value::as_u64), obj.get("msg")) {
            (Some(from), Some(msg)) => Ok(Request::Peer { from: from as usize, msg: msg.clone() }),
            _ => Err(NodeError::BadRequest(
                "peer requests need \"from\" (integer) and \"msg\"".into(),
            )),
        },
        Some(other) => Err(NodeError::BadRequest(format!(
            "unknown op {other:?}; expected book, cancel, available, read, write, cas, txn or status"
        ))),
        None => Err(NodeError::BadRequest("missing string field \"op\"".into())),
    };
    (id, request)
}

/// An error as sent on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireError {
    /// Machine-readable kind, see [`NodeError::kind`].
    pub kind: String,
    /// True if the operation definitely did not happen.
    pub definite: bool,
    /// Human-readable explanation.
    pub message: String,
}

impl From<&NodeError> for WireError {
    fn from(e: &NodeError) -> Self {
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
    pub fn err(id: Option<u64>, e: &NodeError) -> Reply {
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
        assert!(matches!(r, Err(NodeError::BadRequest(_))));
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
        assert!(matches!(r, Err(NodeError::BadRequest(_))));
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
