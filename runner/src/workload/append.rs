//! The list-append workload's ops: transactions of appends (unique values) and reads over a few keys.

use crate::generator::OpSource;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Draws `txn` ops of 1..=max micro-ops, each `["append", k, v]` (v unique in the run) or
/// `["r", k, null]`, as Elle's list-append workload.
pub struct Appends {
    keys: usize,
    max: usize,
    next: u64,
}

impl Appends {
    /// Transactions over `keys` keys of at most `max` micro-ops.
    pub fn new(keys: usize, max: usize) -> Appends {
        Appends { keys, max, next: 1 }
    }
}

impl OpSource for Appends {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> (String, Option<Value>, Value) {
        let n = rng.gen_range(1..=self.max);
        let txn: Vec<Value> = (0..n)
            .map(|_| {
                let k = rng.gen_range(0..self.keys);
                if rng.gen_bool(0.5) {
                    let v = self.next;
                    self.next += 1;
                    json!(["append", k, v])
                } else {
                    json!(["r", k, null])
                }
            })
            .collect();
        ("txn".to_string(), None, Value::Array(txn))
    }
}
