//! The anomalies found so far: every one counted, the first few of each kind kept with their
//! explanation.

use super::anomaly::AnomalyKind;
use super::explain::{Anomaly, Explanation};
use std::collections::BTreeMap;

/// Collects anomalies, keeping at most `cap` witnesses of each kind.
#[derive(Debug)]
pub(crate) struct Found {
    pub anomalies: Vec<Anomaly>,
    pub counts: BTreeMap<AnomalyKind, usize>,
    cap: usize,
}

impl Found {
    pub(crate) fn new(cap: usize) -> Found {
        Found {
            anomalies: Vec::new(),
            counts: BTreeMap::new(),
            cap,
        }
    }

    /// Counts one anomaly of `kind`; builds and keeps its explanation while under the cap.
    pub(crate) fn add(&mut self, kind: AnomalyKind, explain: impl FnOnce() -> Explanation) {
        let n = self.counts.entry(kind).or_insert(0);
        *n += 1;
        if *n <= self.cap {
            self.anomalies.push(Anomaly {
                kind,
                explanation: explain(),
            });
        }
    }
}
