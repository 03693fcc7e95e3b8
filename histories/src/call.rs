//! Calls: invocations paired with their completions.

use crate::{History, HistoryError, Op, OpType, Process};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Completed and took effect.
    Ok,
    /// Completed and definitely did not take effect.
    Fail,
    /// Indeterminate: ended in info, or never completed. It may take effect at any time after its
    /// invocation, or never; its real-time interval is open to the end of the history.
    Info,
}

/// An invocation paired with its completion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    /// Position of the call in [`History::calls`]' result.
    pub id: usize,
    /// The client process that made it.
    pub process: Process,
    /// The operation's name, from the invocation.
    pub f: String,
    /// The key, from the invocation.
    pub key: Option<Value>,
    /// The invocation's value (the argument).
    pub argument: Value,
    /// The completion's value for an ok call; the invocation's value otherwise.
    pub result: Value,
    /// How it ended.
    pub outcome: Outcome,
    /// The completion's error, if any.
    pub error: Option<Value>,
    /// The replica that served it, when known (from the completion, else the invocation).
    pub node: Option<String>,
    /// Index of the invocation op.
    pub invoke_index: u64,
    /// Time of the invocation op (ns).
    pub invoke_time: u64,
    /// Index of the completion op; `None` when the call never completed.
    pub complete_index: Option<u64>,
    /// Time of the completion op (ns); `None` when the call never completed.
    pub complete_time: Option<u64>,
}

impl Call {
    /// True when the call's effect interval is open to the end of the history (outcome info).
    pub fn is_open(&self) -> bool {
        self.outcome == Outcome::Info
    }
}

impl History {
    /// Pairs every client invocation with its completion, in invocation order.
    ///
    /// Nemesis ops are skipped. A completion without an open invocation, a second invocation on a
    /// process with an open call, an invocation on a process after its info, and a completion whose
    /// f differs from its invocation's are errors naming the op's index and, when the history was
    /// read from text, its file and line (see [`crate::Provenance`]).
    /// Invocations never completed become info calls.
    pub fn calls(&self) -> Result<Vec<Call>, HistoryError> {
        let mut calls: Vec<Call> = Vec::new();
        let mut open: HashMap<Process, usize> = HashMap::new();
        let mut dead: HashMap<Process, u64> = HashMap::new();
        let client_ops = self.ops.iter().enumerate();
        for (position, op) in client_ops.filter(|(_, o)| o.process != Process::Nemesis) {
            // Made only for an error: it copies the file's path.
            let at = || self.provenance.locate(position);
            match op.kind {
                OpType::Invoke => {
                    if let Some(&c) = open.get(&op.process) {
                        return Err(HistoryError::DoubleInvoke {
                            at: at(),
                            process: op.process,
                            index: op.index,
                            open: calls[c].invoke_index,
                        });
                    }
                    if let Some(&info) = dead.get(&op.process) {
                        return Err(HistoryError::InvokeAfterInfo {
                            at: at(),
                            process: op.process,
                            index: op.index,
                            info,
                        });
                    }
                    open.insert(op.process, calls.len());
                    calls.push(invocation(calls.len(), op));
                }
                kind => {
                    let Some(c) = open.remove(&op.process) else {
                        return Err(HistoryError::CompletionWithoutInvoke {
                            at: at(),
                            kind,
                            process: op.process,
                            index: op.index,
                        });
                    };
                    let call = &mut calls[c];
                    if call.f != op.f {
                        return Err(HistoryError::MismatchedCompletion {
                            at: at(),
                            kind,
                            process: op.process,
                            index: op.index,
                            expected: call.f.clone(),
                            got: op.f.clone(),
                        });
                    }
                    complete(call, op);
                    if kind == OpType::Info {
                        dead.insert(op.process, op.index);
                    }
                }
            }
        }
        Ok(calls)
    }
}

fn invocation(id: usize, op: &Op) -> Call {
    Call {
        id,
        process: op.process,
        f: op.f.clone(),
        key: op.key.clone(),
        argument: op.value.clone(),
        result: op.value.clone(),
        outcome: Outcome::Info,
        error: None,
        node: op.node.clone(),
        invoke_index: op.index,
        invoke_time: op.time,
        complete_index: None,
        complete_time: None,
    }
}

fn complete(call: &mut Call, op: &Op) {
    call.complete_index = Some(op.index);
    call.complete_time = Some(op.time);
    call.error = op.error.clone();
    if op.node.is_some() {
        call.node = op.node.clone();
    }
    call.outcome = match op.kind {
        OpType::Ok => {
            call.result = op.value.clone();
            Outcome::Ok
        }
        OpType::Fail => Outcome::Fail,
        _ => Outcome::Info,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(i: u64, p: u64, kind: OpType, f: &str, v: Value) -> Op {
        Op::new(i, i, Process::Client(p), kind, f, v)
    }

    #[test]
    fn an_ok_completion_gives_its_value_to_the_call() {
        let h = History::from_ops(vec![
            op(0, 1, OpType::Invoke, "read", Value::Null),
            op(1, 1, OpType::Ok, "read", json!(3)),
        ]);
        let calls = h.calls().unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].result, json!(3));
        assert_eq!(calls[0].outcome, Outcome::Ok);
    }

    #[test]
    fn an_invocation_never_completed_is_an_info_call() {
        let h = History::from_ops(vec![op(0, 1, OpType::Invoke, "write", json!(1))]);
        let calls = h.calls().unwrap();
        assert!(calls[0].is_open());
        assert_eq!(calls[0].complete_index, None);
    }

    #[test]
    fn an_invoke_after_an_info_is_refused() {
        let h = History::from_ops(vec![
            op(0, 1, OpType::Invoke, "write", json!(1)),
            op(1, 1, OpType::Info, "write", json!(1)),
            op(2, 1, OpType::Invoke, "write", json!(2)),
        ]);
        assert!(matches!(
            h.calls(),
            Err(HistoryError::InvokeAfterInfo {
                index: 2,
                info: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_completion_without_an_invoke_is_refused() {
        let h = History::from_ops(vec![op(0, 1, OpType::Ok, "read", json!(1))]);
        assert!(matches!(
            h.calls(),
            Err(HistoryError::CompletionWithoutInvoke { index: 0, .. })
        ));
    }

    #[test]
    fn a_second_invoke_on_an_open_process_is_refused() {
        let h = History::from_ops(vec![
            op(0, 1, OpType::Invoke, "read", Value::Null),
            op(1, 1, OpType::Invoke, "read", Value::Null),
        ]);
        assert!(matches!(
            h.calls(),
            Err(HistoryError::DoubleInvoke {
                index: 1,
                open: 0,
                ..
            })
        ));
    }
}
