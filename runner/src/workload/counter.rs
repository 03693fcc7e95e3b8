//! The counter workload's ops: increments and reads.

use super::Mix;
use crate::generator::OpSource;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Draws `add` ops of 1..=5 and `read` ops.
pub struct Increments {
    mix: Mix,
}

impl Increments {
    /// Increments and reads with the given mix.
    pub fn new(mix: Mix) -> Increments {
        Increments { mix }
    }
}

impl OpSource for Increments {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> (String, Option<Value>, Value) {
        let f = self.mix.draw(rng);
        let value = if f == "add" {
            json!(rng.gen_range(1..=5u64))
        } else {
            Value::Null
        };
        (f.to_string(), None, value)
    }
}
