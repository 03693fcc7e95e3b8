//! The nemesis thread: applies the plan's faults at their offsets through the injector, records
//! each in the history and faults.jsonl, then applies the final heal.

use crate::cluster::Cluster;
use crate::generator::{Context, Generator, Next};
use crate::nemesis::{describe, pinned_to_started, starts_fault, InForce, Plan};
use crate::record::Recorder;
use crate::store::{FaultLine, RunDir};
use crate::RunError;
use faults::{Fault, Injector, Outcome};
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the progress line shows as the current fault ("" when none).
pub type CurrentFault = Arc<Mutex<String>>;

/// Everything the nemesis thread uses.
pub struct NemesisRun<'a> {
    /// The cluster the injector drives.
    pub cluster: &'a mut Cluster,
    /// The plan.
    pub plan: Plan,
    /// The injector's seed.
    pub seed: u64,
    /// The history.
    pub recorder: Recorder,
    /// The run's directory (faults.jsonl).
    pub dir: &'a RunDir,
    /// Set when the workload is over: stop the plan and heal.
    pub stop: &'a AtomicBool,
    /// The current fault, for the progress line.
    pub current: CurrentFault,
}

impl NemesisRun<'_> {
    /// Runs the plan until `stop`, then the final heal.
    pub fn run(self) -> Result<(), RunError> {
        let NemesisRun {
            cluster,
            plan,
            seed,
            recorder,
            dir,
            stop,
            current,
        } = self;
        let mut injector = Injector::new(cluster, seed);
        // The nodes the last starting fault resolved to, so that its end goes to them.
        let mut started: Vec<faults::NodeId> = Vec::new();
        let in_force = std::cell::RefCell::new(InForce::default());
        let mut apply = |fault: &Fault, planned_at: Option<u64>| -> Result<(), RunError> {
            let fault = &if starts_fault(fault) {
                fault.clone()
            } else {
                pinned_to_started(fault, &started)
            };
            let start = recorder.now();
            let record = injector.apply(fault)?;
            if starts_fault(fault) {
                started = record.nodes.clone();
            }
            in_force.borrow_mut().note(&record);
            let end = recorder.now();
            let mut extra = match serde_json::to_value(&record) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            };
            extra.remove("fault");
            extra.insert("start".into(), start.into());
            let value = serde_json::to_value(fault).unwrap_or(Value::Null);
            recorder.nemesis(fault.name(), value, extra);
            if record.outcome == Outcome::Installed || !starts_fault(fault) {
                let mut c = current.lock().unwrap_or_else(|e| e.into_inner());
                *c = if starts_fault(fault) {
                    describe(fault)
                } else {
                    String::new()
                };
            }
            dir.append_fault(&FaultLine {
                planned_at,
                start,
                end,
                record,
            })?;
            Ok(())
        };
        let mut cursor = plan.cursor();
        while !stop.load(Ordering::Relaxed) {
            let now = recorder.now();
            match cursor.next(Context {
                time: now,
                process: 0,
            }) {
                Next::Op(p) => apply(&p.fault, Some(p.at))?,
                Next::Pending(at) => {
                    std::thread::sleep(Duration::from_nanos((at - now).min(20_000_000)))
                }
                Next::Done => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let heal = in_force.borrow().final_heal();
        for fault in heal {
            apply(&fault, None)?;
        }
        Ok(())
    }
}
