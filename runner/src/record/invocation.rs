//! A call as the recorder writes it: the typed operation, the node it is sent to, and its
//! encoding in the history (made once, when the call is made).

use crate::workload::Operation;
use faults::NodeId;
use serde_json::Value;

/// One client call: what is invoked, on which node, and how the history writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// The operation.
    pub op: Operation,
    /// The node the call is sent to.
    pub node: NodeId,
    /// Whether it is one of the final phase's reads (marked `"final": true` in the history).
    pub final_read: bool,
    key: Option<Value>,
    value: Value,
}

impl Invocation {
    /// `op` sent to `node`, during the workload.
    pub fn new(op: Operation, node: NodeId) -> Invocation {
        Invocation {
            key: op.key(),
            value: op.value(),
            op,
            node,
            final_read: false,
        }
    }

    /// `op` sent to `node` as a final read.
    pub fn final_read(op: Operation, node: NodeId) -> Invocation {
        Invocation {
            final_read: true,
            ..Invocation::new(op, node)
        }
    }

    /// The operation's name in the history.
    pub fn f(&self) -> &'static str {
        self.op.f()
    }

    /// The key the history records, if the workload has keys.
    pub fn key(&self) -> Option<&Value> {
        self.key.as_ref()
    }

    /// The invocation's value in the history.
    pub fn value(&self) -> &Value {
        &self.value
    }
}
