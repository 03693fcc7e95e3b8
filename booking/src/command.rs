//! What clients ask of the service: a [`Command`] (changes state), a [`Query`] (only reads), and
//! the [`Response`] each gets. These are the state machine's inputs and outputs, shipped as they
//! are by strategies that replicate commands (raft, log).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A request that may change state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Book `room` for `guest`: succeeds if and only if the room is free.
    Book {
        /// Room id.
        room: String,
        /// Guest id.
        guest: String,
    },
    /// Cancel `guest`'s booking of `room`: succeeds if and only if `guest` holds the room.
    Cancel {
        /// Room id.
        room: String,
        /// Guest id.
        guest: String,
    },
    /// Set register `key` to `value`.
    Write {
        /// Register key.
        key: String,
        /// Any JSON value.
        value: Value,
    },
    /// Set register `key` to `new` if and only if it holds `old` (an absent key holds `null`).
    Cas {
        /// Register key.
        key: String,
        /// Expected current value.
        old: Value,
        /// Value to set.
        new: Value,
    },
    /// Apply the micro-ops in order, atomically, on append-lists.
    Txn {
        /// The micro-ops, e.g. `[["append","x",1],["r","x",null]]`.
        ops: Vec<TxnOp>,
    },
}

/// A request that only reads state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Query {
    /// Is `room` free, and if not who holds it?
    Available {
        /// Room id.
        room: String,
    },
    /// The value of register `key` (`null` if never written).
    Read {
        /// Register key.
        key: String,
    },
}

/// One micro-op of a list-append transaction; on the wire `["append", key, value]` or
/// `["r", key, null]` (in a response, `["r", key, [values..]]` or `null` for an absent list).
#[derive(Clone, Debug, PartialEq)]
pub enum TxnOp {
    /// Append `value` to the list at `key`.
    Append {
        /// List key.
        key: String,
        /// Value appended.
        value: Value,
    },
    /// Read the list at `key`; `value` is `null` in a request and the list read in a response.
    Read {
        /// List key.
        key: String,
        /// The list read (a response), or `null`.
        value: Value,
    },
}

impl Serialize for TxnOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TxnOp::Append { key, value } => ("append", key, value).serialize(s),
            TxnOp::Read { key, value } => ("r", key, value).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for TxnOp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (f, key, value) = <(String, String, Value)>::deserialize(d)?;
        match f.as_str() {
            "append" => Ok(TxnOp::Append { key, value }),
            "r" => Ok(TxnOp::Read { key, value }),
            other => Err(D::Error::custom(format!(
                "unknown txn micro-op {other:?}, expected \"append\" or \"r\""
            ))),
        }
    }
}

/// The answer to a command or a query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// Answer to `book`: whether it booked, and the room's holders afterwards.
    Booked {
        /// True if the room was free and is now booked for the guest.
        booked: bool,
        /// The room's holders after the command (the guest, or whoever held it already).
        holders: Vec<String>,
    },
    /// Answer to `cancel`: whether the guest held the room and released it.
    Cancelled {
        /// True if the guest held the room and no longer does.
        cancelled: bool,
        /// The room's holders after the command.
        holders: Vec<String>,
    },
    /// Answer to `available`.
    Availability {
        /// True if nobody holds the room.
        free: bool,
        /// Who holds the room: empty if free, one guest normally, several when concurrent
        /// bookings conflict under version vectors.
        holders: Vec<String>,
    },
    /// Answer to `read`.
    Value {
        /// The register's value (`null` if never written); with siblings, the newest one.
        value: Value,
        /// Every concurrent value, present only when version vectors kept more than one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        siblings: Option<Vec<Value>>,
    },
    /// Answer to `write`.
    Written,
    /// Answer to `cas`.
    Swapped {
        /// True if the register held `old` and now holds `new`.
        swapped: bool,
        /// The register's value after the command.
        value: Value,
    },
    /// Answer to `txn`: the micro-ops with reads filled in.
    Txn {
        /// The completed micro-ops.
        ops: Vec<TxnOp>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn txn_micro_ops_are_triples_on_the_wire() {
        let c: Command =
            serde_json::from_value(json!({"op":"txn","ops":[["append","x",1],["r","x",null]]}))
                .unwrap();
        assert_eq!(
            c,
            Command::Txn {
                ops: vec![
                    TxnOp::Append {
                        key: "x".into(),
                        value: json!(1)
                    },
                    TxnOp::Read {
                        key: "x".into(),
                        value: Value::Null
                    },
                ]
            }
        );
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            json!({"op":"txn","ops":[["append","x",1],["r","x",null]]})
        );
    }

    #[test]
    fn an_unknown_micro_op_is_refused() {
        let r: Result<Command, _> =
            serde_json::from_value(json!({"op":"txn","ops":[["delete","x",1]]}));
        assert!(r.unwrap_err().to_string().contains("unknown txn micro-op"));
    }
}
