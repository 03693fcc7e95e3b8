//! The set workload's ops: adds of unique elements (the reads come in the final phase).

use crate::generator::OpSource;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Draws `add` ops of 1, 2, 3, ...: every element is unique.
pub struct Adds {
    next: u64,
}

impl Adds {
    /// Adds from 1.
    pub fn new() -> Adds {
        Adds { next: 1 }
    }
}

impl OpSource for Adds {
    fn draw(&mut self, _rng: &mut ChaCha8Rng) -> (String, Option<Value>, Value) {
        let v = self.next;
        self.next += 1;
        ("add".to_string(), None, json!(v))
    }
}
