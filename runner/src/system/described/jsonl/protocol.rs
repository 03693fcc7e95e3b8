//! The messages of the JSON-lines driver protocol (see `PROTOCOL.md` beside this module), one
//! JSON object per line. Pure: no I/O.

use crate::system::NodeSpec;
use crate::workload::{Operation, WorkloadConfig, WorkloadKind};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The protocol's version, sent in the handshake; a driver answering another one is refused.
pub const VERSION: u32 = 1;

/// A node as a driver is told of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeInfo {
    /// Its index from 0, which `open` names.
    pub id: usize,
    /// Its name in rift's history (`n0`).
    pub name: String,
    /// Its address.
    pub ip: String,
    /// Its first port.
    pub port: u16,
    /// `ip:port`.
    pub addr: String,
}

impl From<&NodeSpec> for NodeInfo {
    fn from(n: &NodeSpec) -> NodeInfo {
        NodeInfo {
            id: n.id.0,
            name: n.id.to_string(),
            ip: n.ip.to_string(),
            port: n.port,
            addr: n.addr().to_string(),
        }
    }
}

/// An operation as the history writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpJson {
    /// Its name (`read`, `write`, `cas`, `add`, `txn`, ...).
    pub f: &'static str,
    /// Its key, for workloads with keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<Value>,
    /// Its value.
    pub value: Value,
}

impl From<&Operation> for OpJson {
    fn from(op: &Operation) -> OpJson {
        OpJson {
            f: op.f(),
            key: op.key(),
            value: op.value(),
        }
    }
}

/// What rift writes to the driver.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request<'a> {
    /// The handshake: always the first line, with id 0.
    Hello {
        /// 0.
        id: u64,
        /// [`VERSION`].
        protocol: u32,
        /// The workload the run's clients perform.
        workload: WorkloadKind,
        /// Its options (keys, the bank's opening balance, ...), as a config's `[workload]`.
        workload_options: &'a WorkloadConfig,
        /// Every node, in id order.
        nodes: Vec<NodeInfo>,
        /// The system's options (the description's defaults, overridden by the config).
        options: &'a Map<String, Value>,
        /// How long a call may take.
        op_timeout_ms: u64,
    },
    /// Open a client on a node; later requests name the client by this request's id.
    Open {
        /// The request's id, and the client's from now on.
        id: u64,
        /// The node's index.
        node: usize,
    },
    /// Perform one operation with a client.
    Invoke {
        /// The request's id.
        id: u64,
        /// The client (the id of the `open` that made it).
        client: u64,
        /// The operation.
        op: OpJson,
        /// Milliseconds from now after which rift records the call as info and stops waiting.
        deadline_ms: u64,
    },
    /// Close a client; no answer.
    Close {
        /// The client.
        client: u64,
    },
}

/// What a driver writes back: exactly one per request with an id.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// It took effect.
    Ok {
        /// The request answered.
        id: u64,
        /// The result (the operation's value when absent; `null` is a value).
        #[serde(default, deserialize_with = "present")]
        value: Option<Value>,
        /// The node that served it, when another than the client's.
        #[serde(default)]
        served_by: Option<usize>,
    },
    /// It failed; certainly without effect only when `definite` is true.
    Fail {
        /// The request answered.
        id: u64,
        /// The error.
        #[serde(default)]
        error: Value,
        /// True when the operation certainly had no effect; otherwise it is recorded as info.
        #[serde(default)]
        definite: bool,
        /// The node that served it.
        #[serde(default)]
        served_by: Option<usize>,
    },
    /// Its outcome is unknown.
    Info {
        /// The request answered.
        id: u64,
        /// The error.
        #[serde(default)]
        error: Value,
        /// The node that served it.
        #[serde(default)]
        served_by: Option<usize>,
    },
}

impl Answer {
    /// The request it answers.
    pub fn id(&self) -> u64 {
        match self {
            Answer::Ok { id, .. } | Answer::Fail { id, .. } | Answer::Info { id, .. } => *id,
        }
    }
}

/// A field that is present, `null` included.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::RegisterOp;
    use serde_json::json;

    #[test]
    fn an_invoke_carries_the_operation_as_the_history_writes_it() {
        let op = Operation::Register(RegisterOp::Cas {
            key: 1,
            from: None,
            to: 5,
        });
        let line = serde_json::to_value(Request::Invoke {
            id: 9,
            client: 3,
            op: (&op).into(),
            deadline_ms: 1000,
        })
        .unwrap();
        assert_eq!(
            line,
            json!({"type": "invoke", "id": 9, "client": 3, "deadline_ms": 1000,
                   "op": {"f": "cas", "key": 1, "value": [null, 5]}})
        );
    }

    #[test]
    fn an_ok_without_a_value_differs_from_an_ok_of_null() {
        let absent: Answer = serde_json::from_str(r#"{"type":"ok","id":4}"#).unwrap();
        let null: Answer = serde_json::from_str(r#"{"type":"ok","id":4,"value":null}"#).unwrap();
        assert!(matches!(absent, Answer::Ok { value: None, .. }));
        assert!(matches!(
            null,
            Answer::Ok {
                value: Some(Value::Null),
                ..
            }
        ));
    }

    #[test]
    fn a_fail_is_indefinite_unless_it_says_so() {
        let a: Answer = serde_json::from_str(r#"{"type":"fail","id":2,"error":"x"}"#).unwrap();
        assert!(matches!(
            a,
            Answer::Fail {
                definite: false,
                ..
            }
        ));
        assert!(serde_json::from_str::<Answer>(r#"{"type":"done","id":2}"#).is_err());
        assert!(serde_json::from_str::<Answer>(r#"{"type":"ok"}"#).is_err());
    }
}
