//! A watch that notes every run a given process owns while it runs (from the run state files),
//! so a test can ask afterwards what of them is left (see the leftovers module).

use runner::cluster::RunState;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Notes, every 50 ms, the state of each run owned by one process (the last state read of each
/// run lists all it made: its state file is rewritten as it creates things).
pub struct Watch {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<RunState>>,
}

impl Watch {
    /// Starts watching the runs of process `owner`.
    pub fn start(owner: u32) -> Watch {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut seen: BTreeMap<String, RunState> = BTreeMap::new();
            loop {
                let last = flag.load(Ordering::Relaxed);
                for path in RunState::all() {
                    if let Ok(s) = RunState::load(&path) {
                        if s.owner.pid == owner as i32 {
                            seen.insert(s.run_id.to_string(), s);
                        }
                    }
                }
                if last {
                    return seen.into_values().collect();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Watch { stop, thread }
    }

    /// Stops watching; the runs seen, by run id.
    pub fn stop(self) -> Vec<RunState> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the watch thread")
    }
}
