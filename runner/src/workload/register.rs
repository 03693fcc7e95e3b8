//! The register workload's ops: read, write (unique values) and cas over N keys.

use super::Mix;
use crate::generator::OpSource;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Draws reads, writes and cas ops. Every written value (write or cas's new value) is unique in
/// the run, so the checker's fast path applies; a cas expects the last value written to its key,
/// so that some of them succeed.
pub struct Registers {
    mix: Mix,
    keys: usize,
    next_value: u64,
    last: Vec<Option<u64>>,
}

impl Registers {
    /// Ops over `keys` keys with the given mix.
    pub fn new(mix: Mix, keys: usize) -> Registers {
        Registers {
            mix,
            keys,
            next_value: 1,
            last: vec![None; keys],
        }
    }

    fn fresh(&mut self, key: usize) -> u64 {
        let v = self.next_value;
        self.next_value += 1;
        self.last[key] = Some(v);
        v
    }
}

impl OpSource for Registers {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> (String, Option<Value>, Value) {
        let f = self.mix.draw(rng);
        let key = rng.gen_range(0..self.keys);
        let value = match f {
            "write" => json!(self.fresh(key)),
            "cas" => {
                let old = self.last[key];
                json!([old, self.fresh(key)])
            }
            _ => Value::Null,
        };
        (f.to_string(), Some(json!(key)), value)
    }
}
