//! The clients: `concurrency` tasks asking the generator for ops, recording each call around the
//! request, and a fresh process id after every info.

use super::system::Driver;
use crate::generator::{Clients, Context, Generator, Invocation, Next};
use crate::record::{Completion, Recorder};
use histories::Outcome;
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
    pub async fn call(&self, process: u64, inv: &Invocation) -> Outcome {
        let node = &self.names[inv.node];
        if let Some(r) = &self.recorder {
            r.invoke(process, inv, node);
        }
        let (how, served) = self.driver.call(inv).await;
        let outcome = match how {
            Completion::Ok(_) => Outcome::Ok,
            Completion::Fail(_) => Outcome::Fail,
            Completion::Info(_) => Outcome::Info,
        };
        if let Some(r) = &self.recorder {
            r.complete(process, inv, served.as_deref().unwrap_or(node), how);
        }
        self.completed.fetch_add(1, Ordering::Relaxed);
        outcome
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
                if workers.call(process, &inv).await == Outcome::Info {
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

/// How many times a final read that did not return ok is tried again, and the pause between.
const FINAL_READ_TRIES: usize = 10;
const FINAL_READ_PAUSE: Duration = Duration::from_millis(300);

/// The final reads, each node's in turn, all nodes at once. A read that does not return ok (a
/// node still electing a leader or catching up after the heal) is tried again on a fresh process,
/// up to [`FINAL_READ_TRIES`] times, so that every node gets read when it can be.
pub async fn final_reads(workers: Arc<Workers>, reads: Vec<Invocation>, nodes: usize) {
    let tasks: Vec<_> = (0..nodes)
        .map(|node| {
            let w = workers.clone();
            let mine: Vec<Invocation> = reads.iter().filter(|r| r.node == node).cloned().collect();
            tokio::spawn(async move {
                for inv in mine {
                    for _ in 0..FINAL_READ_TRIES {
                        let p = w.fresh_process();
                        if w.call(p, &inv).await == Outcome::Ok {
                            break;
                        }
                        tokio::time::sleep(FINAL_READ_PAUSE).await;
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
}
