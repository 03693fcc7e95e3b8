//! The clients: `concurrency` client threads asking the generator for ops. Client thread `t`
//! is bound to node `t mod nodes` (as Jepsen binds its worker threads); it runs as one process at
//! a time, whose client the driver opens on that node at its first op. Each call is recorded
//! around the request; after an info the process's client is closed and the thread goes on as a
//! fresh process.

use crate::generator::{Clients, Context, Generator, Next};
use crate::record::{Invocation, Recorder};
use crate::system::{Client, Completion, Driver, DriverContext, SystemUnderTest};
use crate::workload::Operation;
use crate::RunError;
use faults::NodeId;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long past its deadline a call may run before the runner abandons it and records info.
const DEADLINE_GRACE: Duration = Duration::from_millis(500);

/// State shared by the client threads.
pub struct Workers {
    /// The generator (locked for each draw).
    pub generator: Mutex<Clients>,
    /// The system's client side.
    pub driver: Arc<dyn Driver>,
    /// The history; `None` for an unrecorded load (the recording benchmark's baseline).
    pub recorder: Option<Recorder>,
    /// The run's start, which times are measured from.
    pub start: Instant,
    /// The nodes' names, by index.
    pub names: Vec<String>,
    /// How long a call may take (its deadline is this long after its invocation).
    pub op_timeout: Duration,
    /// The next unused process id.
    pub next_process: AtomicU64,
    /// Calls completed so far.
    pub completed: AtomicU64,
}

/// One client process: its id, its node, and its client once opened.
pub struct ClientProcess {
    id: u64,
    node: NodeId,
    client: Option<Box<dyn Client>>,
}

impl ClientProcess {
    /// Process `id`, bound to `node`, with no client yet.
    pub fn new(id: u64, node: NodeId) -> ClientProcess {
        ClientProcess {
            id,
            node,
            client: None,
        }
    }

    /// Closes its client, if one was opened.
    pub async fn close(&mut self) {
        if let Some(mut c) = self.client.take() {
            c.close().await;
        }
    }
}

impl Workers {
    /// Performs `op` as `process` on its node and records the call (its completion on the node
    /// that served it); returns how it ended. After an info the process must not be used again.
    pub async fn call(&self, process: &mut ClientProcess, inv: &Invocation) -> Completion {
        let node = &self.names[inv.node.0];
        if let Some(r) = &self.recorder {
            r.invoke(process.id, inv, node);
        }
        let (how, served) = self.perform(process, &inv.op).await;
        let served = served.and_then(|n| self.names.get(n.0)).unwrap_or(node);
        if let Some(r) = &self.recorder {
            r.complete(process.id, inv, served, &how);
        }
        self.completed.fetch_add(1, Ordering::Relaxed);
        how
    }

    /// Opens the process's client if it has none, and invokes `op` on it within its deadline.
    async fn perform(
        &self,
        process: &mut ClientProcess,
        op: &Operation,
    ) -> (Completion, Option<NodeId>) {
        if process.client.is_none() {
            match self.driver.open(process.node).await {
                Ok(c) => process.client = Some(c),
                // Nothing was sent: the operation certainly had no effect.
                Err(e) => return (Completion::Fail(json!(format!("no client: {e}"))), None),
            }
        }
        let client = process.client.as_mut().expect("opened above");
        let deadline = tokio::time::Instant::now() + self.op_timeout;
        match tokio::time::timeout_at(deadline + DEADLINE_GRACE, client.invoke(op, deadline)).await
        {
            Ok(reply) => (reply.completion, reply.served_by),
            Err(_) => (
                Completion::info(format!("timeout: no answer within {:?}", self.op_timeout)),
                None,
            ),
        }
    }

    /// Nanoseconds since the start of the run.
    pub fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// A process id never used before.
    pub fn fresh_process(&self) -> u64 {
        self.next_process.fetch_add(1, Ordering::Relaxed)
    }
}

/// One client thread: ops until the generator is done, as a fresh process after every info.
async fn client(workers: Arc<Workers>, thread: u64) {
    let node = NodeId(thread as usize % workers.names.len().max(1));
    let mut process = ClientProcess::new(thread, node);
    let start = workers.start;
    // A driver that failed serves no more calls: the run stops issuing operations.
    while workers.driver.failure().is_none() {
        let time = workers.now();
        let next = workers
            .generator
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next(Context {
                time,
                process: process.id,
            });
        match next {
            Next::Done => break,
            Next::Pending(at) => {
                let wake = start + Duration::from_nanos(at);
                tokio::time::sleep_until(wake.into()).await;
            }
            Next::Op(op) => {
                let inv = Invocation::new(op, node);
                if let Completion::Info(_) = workers.call(&mut process, &inv).await {
                    process.close().await;
                    process = ClientProcess::new(workers.fresh_process(), node);
                }
            }
        }
    }
    process.close().await;
}

/// Runs `concurrency` client threads (processes 0..concurrency) until the generator is done.
pub async fn drive(workers: Arc<Workers>, concurrency: usize) {
    let tasks: Vec<_> = (0..concurrency as u64)
        .map(|t| tokio::spawn(client(workers.clone(), t)))
        .collect();
    for t in tasks {
        let _ = t.await;
    }
}

/// How many times, within a round, a final read that did not return ok is tried again, and the
/// pause between tries.
const FINAL_READ_TRIES: usize = 10;
const FINAL_READ_PAUSE: Duration = Duration::from_millis(300);

/// The pause between two rounds of final reads whose nodes disagreed.
const ROUND_PAUSE: Duration = Duration::from_millis(250);

/// The final reads, in rounds, until every node returns the same state or `settle` has passed
/// since they began (at least one round is always made). `unordered`: the reads return sets
/// (arrays whose order means nothing).
///
/// In a round every node is read at once, each node's reads in turn; a read that does not return
/// ok (a node still electing a leader or catching up after the heal) is tried again on a fresh
/// process, up to `FINAL_READ_TRIES` times, so that every node gets read when it can be. Each
/// round is recorded; the convergence checker takes each node's last read of each key, so a
/// system that converges within `settle` is judged converged, and one that never does is judged
/// on its last round.
pub async fn final_reads(
    workers: Arc<Workers>,
    reads: &[Operation],
    settle: Duration,
    unordered: bool,
) {
    let deadline = Instant::now() + settle;
    let by_node: Vec<Arc<Vec<Invocation>>> = (0..workers.names.len())
        .map(|n| {
            let mine = reads
                .iter()
                .map(|op| Invocation::final_read(op.clone(), NodeId(n)));
            Arc::new(mine.collect())
        })
        .collect();
    loop {
        let tasks: Vec<_> = by_node
            .iter()
            .map(|mine| {
                let (w, mine) = (workers.clone(), mine.clone());
                tokio::spawn(async move { read_node(&w, &mine, unordered).await })
            })
            .collect();
        let mut states = Vec::with_capacity(tasks.len());
        for t in tasks {
            states.push(t.await.ok());
        }
        if agree(&states) || Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(ROUND_PAUSE).await;
    }
}

/// What one node returned for each of its final reads, in order (`None` where no try was ok).
type NodeState = Vec<Option<Value>>;

/// One node's final reads, each tried until ok (at most [`FINAL_READ_TRIES`] times, each by a
/// fresh process with a client of its own); arrays sorted when `unordered`, so that equal sets
/// compare equal.
async fn read_node(workers: &Workers, reads: &[Invocation], unordered: bool) -> NodeState {
    let mut state = Vec::with_capacity(reads.len());
    for inv in reads {
        let mut got = None;
        for _ in 0..FINAL_READ_TRIES {
            let mut process = ClientProcess::new(workers.fresh_process(), inv.node);
            let how = workers.call(&mut process, inv).await;
            process.close().await;
            if let Completion::Ok(v) = how {
                got = Some(canonical(v, unordered));
                break;
            }
            tokio::time::sleep(FINAL_READ_PAUSE).await;
        }
        state.push(got);
    }
    state
}

/// A read's value as compared between nodes: an array sorted when it is a set (`unordered`).
fn canonical(mut value: Value, unordered: bool) -> Value {
    if let (true, Value::Array(elements)) = (unordered, &mut value) {
        elements.sort_by_cached_key(Value::to_string);
    }
    value
}

/// Whether every node answered every final read, all with the same values (each node's reads
/// are the same keys in the same order).
fn agree(states: &[Option<NodeState>]) -> bool {
    let Some(Some(first)) = states.first() else {
        return false;
    };
    first.iter().all(Option::is_some) && states.iter().all(|s| s.as_ref() == Some(first))
}

/// The client side of a run: a two-worker runtime, and the system's driver opened inside it (a
/// driver may start tasks of its own, e.g. a driver process's reader).
pub fn client_side(
    system: &dyn SystemUnderTest,
    context: &DriverContext,
) -> Result<(tokio::runtime::Runtime, Arc<dyn Driver>), RunError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    let driver = {
        let _entered = runtime.enter();
        system.driver(context)?
    };
    Ok((runtime, driver))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nodes_agree_only_when_every_read_returned_the_same_value_everywhere() {
        let same = || Some(vec![Some(json!(null)), Some(json!("g1"))]);
        assert!(agree(&[same(), same(), same()]));
        let stale = Some(vec![Some(json!(null)), Some(json!(null))]);
        assert!(!agree(&[same(), stale, same()]));
        let unread = Some(vec![Some(json!(null)), None]);
        assert!(!agree(&[unread.clone(), unread]), "a read never ok");
        assert!(!agree(&[same(), None]), "a node's task failed");
        assert!(!agree(&[]));
    }

    #[test]
    fn a_set_read_back_in_another_order_is_the_same_state_and_a_list_is_not() {
        let node = |v: Value, unordered| Some(vec![Some(canonical(v, unordered))]);
        assert!(agree(&[
            node(json!([3, 1, 2]), true),
            node(json!([1, 2, 3]), true)
        ]));
        assert!(!agree(&[
            node(json!([3, 1, 2]), false),
            node(json!([1, 2, 3]), false)
        ]));
        assert!(!agree(&[
            node(json!([1, 2]), true),
            node(json!([1, 2, 3]), true)
        ]));
    }
}
