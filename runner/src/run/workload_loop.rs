//! The clients: `concurrency` tasks asking the generator for ops, recording each call around the
//! request, and a fresh process id after every info.

use super::system::Driver;
use crate::generator::{Clients, Context, Generator, Invocation, Next};
use crate::record::{Completion, Recorder};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// State shared by the client tasks.
pub struct Workers {
    /// The generator (locked for each draw).
    pub generator: Mutex<Clients>,
    /// The system's clients.
    pub driver: Arc<Driver>,
    /// The history; `None` for an unrecorded load (the recording benchmark's baseline).
    pub recorder: Option<Recorder>,
    /// The run's start, which times are measured from.
    pub start: Instant,
    /// The nodes' names, by index.
    pub names: Vec<String>,
    /// The next unused process id.
    pub next_process: AtomicU64,
    /// Calls completed so far.
    pub completed: AtomicU64,
}

impl Workers {
    /// Performs one call as `process` and records it (the completion on the node that served
    /// it); returns how it ended (after info the process must not be used again).
    pub async fn call(&self, process: u64, inv: &Invocation) -> Completion {
        let node = &self.names[inv.node];
        if let Some(r) = &self.recorder {
            r.invoke(process, inv, node);
        }
        let (how, served) = self.driver.call(inv).await;
        if let Some(r) = &self.recorder {
            r.complete(process, inv, served.as_deref().unwrap_or(node), &how);
        }
        self.completed.fetch_add(1, Ordering::Relaxed);
        how
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

/// One client task: ops until the generator is done.
async fn client(workers: Arc<Workers>, first: u64) {
    let mut process = first;
    let start = workers.start;
    loop {
        let time = workers.now();
        let next = workers
            .generator
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next(Context { time, process });
        match next {
            Next::Done => break,
            Next::Pending(at) => {
                let wake = start + Duration::from_nanos(at);
                tokio::time::sleep_until(wake.into()).await;
            }
            Next::Op(inv) => {
                if let Completion::Info(_) = workers.call(process, &inv).await {
                    process = workers.fresh_process();
                }
            }
        }
    }
}

/// Runs `concurrency` client tasks (processes 0..concurrency) until the generator is done.
pub async fn drive(workers: Arc<Workers>, concurrency: usize) {
    let tasks: Vec<_> = (0..concurrency as u64)
        .map(|p| tokio::spawn(client(workers.clone(), p)))
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
/// process, up to [`FINAL_READ_TRIES`] times, so that every node gets read when it can be. Each
/// round is recorded; the convergence checker takes each node's last read of each key, so a
/// system that converges within `settle` is judged converged, and one that never does is judged
/// on its last round.
pub async fn final_reads(
    workers: Arc<Workers>,
    reads: Vec<Invocation>,
    settle: Duration,
    unordered: bool,
) {
    let deadline = Instant::now() + settle;
    let mut by_node: BTreeMap<usize, Vec<Invocation>> = BTreeMap::new();
    for r in reads {
        by_node.entry(r.node).or_default().push(r);
    }
    let by_node: Vec<Arc<Vec<Invocation>>> = by_node.into_values().map(Arc::new).collect();
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

/// One node's final reads, each tried until ok (at most [`FINAL_READ_TRIES`] times); arrays
/// sorted when `unordered`, so that equal sets compare equal.
async fn read_node(workers: &Workers, reads: &[Invocation], unordered: bool) -> NodeState {
    let mut state = Vec::with_capacity(reads.len());
    for inv in reads {
        let mut got = None;
        for _ in 0..FINAL_READ_TRIES {
            if let Completion::Ok(v) = workers.call(workers.fresh_process(), inv).await {
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
