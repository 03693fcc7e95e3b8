//! A seeded generator of register histories, for tests and benchmarks.
//!
//! It simulates clients of a linearizable key-value store of registers: each call takes effect
//! atomically at a random point between its invocation and its completion, so the history is
//! linearizable by construction — unless anomalies are injected on purpose (stale reads, lost
//! writes). Calls that end in info took effect or not, at random. The same configuration and
//! seed always give the same history.

use histories::{Header, History, Op, OpType, Process};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenConfig {
    /// The seed: same config, same history.
    pub seed: u64,
    /// Number of calls (each an invocation and, unless it stays open, a completion).
    pub calls: usize,
    /// Number of keys; with 1, ops carry no key.
    pub keys: u64,
    /// Number of concurrent client processes.
    pub processes: u64,
    /// Fraction of calls that end in info (0.0 to 1.0).
    pub info_rate: f64,
    /// Every write and cas writes a value never written before; otherwise values collide.
    pub unique_values: bool,
    /// With colliding values, values are drawn from 0..value_range.
    pub value_range: i64,
    /// Fraction of reads and writes turned into anomalies (stale reads, lost writes).
    pub anomaly_rate: f64,
    /// Include cas calls (a cas-register); otherwise read and write only.
    pub cas: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 0,
            calls: 1000,
            keys: 10,
            processes: 5,
            info_rate: 0.0,
            unique_values: true,
            value_range: 5,
            anomaly_rate: 0.0,
            cas: true,
        }
    }
}

enum Slot {
    Idle,
    Open {
        f: &'static str,
        key: u64,
        value: Value,
        ends_in_info: bool,
        applied: bool,
        result: Option<(OpType, Value)>,
    },
}

struct Register {
    value: i64,
    past: Vec<i64>,
}

/// Generates a history as configured. Registers start at 0 (the header says so: model
/// `cas-register` or `register`, `init` 0).
pub fn generate(config: &GenConfig) -> History {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let processes = config.processes.max(1);
    let mut slots: Vec<(u64, Slot)> = (0..processes).map(|p| (p, Slot::Idle)).collect();
    let mut registers: HashMap<u64, Register> = HashMap::new();
    let mut next_value = 1i64;
    let mut ops: Vec<Op> = Vec::with_capacity(config.calls * 2);
    let mut time = 0u64;
    let mut invoked = 0usize;
    let mut open = 0usize;
    let mut fresh = |rng: &mut ChaCha8Rng| {
        if config.unique_values {
            next_value += 1;
            next_value - 1
        } else {
            rng.gen_range(0..config.value_range.max(1))
        }
    };
    while invoked < config.calls || open > 0 {
        let s = rng.gen_range(0..slots.len());
        let process = slots[s].0;
        time += rng.gen_range(1..1000);
        let index = ops.len() as u64;
        let keyed = |op: Op, key: u64| {
            if config.keys > 1 {
                op.with_key(json!(key))
            } else {
                op
            }
        };
        match &mut slots[s].1 {
            Slot::Idle if invoked < config.calls => {
                let key = rng.gen_range(0..config.keys.max(1));
                let roll: f64 = rng.gen();
                let (f, value) = if roll < 0.5 {
                    ("read", Value::Null)
                } else if roll < 0.8 || !config.cas {
                    ("write", json!(fresh(&mut rng)))
                } else {
                    let reg = registers.entry(key).or_insert(Register {
                        value: 0,
                        past: Vec::new(),
                    });
                    let old = if rng.gen_bool(0.7) {
                        reg.value
                    } else {
                        reg.past.last().copied().unwrap_or(0)
                    };
                    ("cas", json!([old, fresh(&mut rng)]))
                };
                ops.push(keyed(
                    Op::new(
                        index,
                        time,
                        Process::Client(process),
                        OpType::Invoke,
                        f,
                        value.clone(),
                    ),
                    key,
                ));
                let ends_in_info = rng.gen_bool(config.info_rate.clamp(0.0, 1.0));
                slots[s].1 = Slot::Open {
                    f,
                    key,
                    value,
                    ends_in_info,
                    applied: false,
                    result: None,
                };
                invoked += 1;
                open += 1;
            }
            Slot::Idle => {}
            Slot::Open {
                f,
                key,
                value,
                ends_in_info,
                applied,
                result,
            } if !*applied => {
                *applied = true;
                if *ends_in_info && rng.gen_bool(0.5) {
                    continue; // never takes effect
                }
                let reg = registers.entry(*key).or_insert(Register {
                    value: 0,
                    past: Vec::new(),
                });
                let anomaly = rng.gen_bool(config.anomaly_rate.clamp(0.0, 1.0));
                *result = Some(match *f {
                    "read" => {
                        let seen = match (anomaly, reg.past.last()) {
                            (true, Some(&stale)) => stale,
                            _ => reg.value,
                        };
                        (OpType::Ok, json!(seen))
                    }
                    "write" => {
                        if !anomaly {
                            reg.past.push(reg.value);
                            reg.value = value.as_i64().unwrap_or(0);
                        }
                        (OpType::Ok, value.clone())
                    }
                    _ => {
                        let (old, new) = (
                            value[0].as_i64().unwrap_or(0),
                            value[1].as_i64().unwrap_or(0),
                        );
                        if reg.value == old {
                            reg.past.push(reg.value);
                            reg.value = new;
                            (OpType::Ok, value.clone())
                        } else {
                            (OpType::Fail, value.clone())
                        }
                    }
                });
            }
            Slot::Open {
                f,
                key,
                value,
                ends_in_info,
                result,
                ..
            } => {
                let (kind, v) = if *ends_in_info {
                    (OpType::Info, value.clone())
                } else {
                    result.clone().expect("an applied call has a result")
                };
                ops.push(keyed(
                    Op::new(index, time, Process::Client(process), kind, f, v),
                    *key,
                ));
                open -= 1;
                let next_process = if kind == OpType::Info {
                    process + processes
                } else {
                    process
                };
                slots[s] = (next_process, Slot::Idle);
            }
        }
    }
    let mut header = Header::default();
    header.meta.insert(
        "model".into(),
        json!(if config.cas {
            "cas-register"
        } else {
            "register"
        }),
    );
    header.meta.insert("init".into(), json!(0));
    header.meta.insert(
        "generator".into(),
        serde_json::to_value(config).unwrap_or(Value::Null),
    );
    History {
        header,
        ops,
        ..History::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let c = GenConfig {
            seed: 7,
            calls: 200,
            info_rate: 0.1,
            ..GenConfig::default()
        };
        assert_eq!(generate(&c), generate(&c));
        assert_ne!(
            generate(&c),
            generate(&GenConfig {
                seed: 8,
                ..c.clone()
            })
        );
    }

    #[test]
    fn every_call_is_invoked_and_paired() {
        let c = GenConfig {
            calls: 300,
            info_rate: 0.2,
            processes: 7,
            ..GenConfig::default()
        };
        let calls = generate(&c).calls().expect("a well-formed history");
        assert_eq!(calls.len(), 300);
    }
}
