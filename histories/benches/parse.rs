//! Parsing speed of native JSONL histories: the streaming reader alone, and reading a whole
//! history (ops plus the line of each op). The input comes from a small seeded generator of
//! realistic register ops (read/write/cas on keys 1..1000, small int values, 20 processes, 5% of
//! calls ending in info).
//!
//! Each is measured twice: wall-clock time, and the benchmark thread's own on-CPU time (see
//! `support/cpu_time.rs`), which neighbours on a shared machine do not inflate.
//!
//! Run: `cargo bench -p histories --bench parse`

#[path = "support/cpu_time.rs"]
mod cpu_time;

use cpu_time::CpuTime;
use criterion::measurement::Measurement;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use histories::formats::{read_str, Format, JsonlReader, JsonlWriter};
use histories::{Header, Op, OpType, Process};
use serde_json::{json, Value};
use std::hint::black_box;

/// How many ops the generated history holds.
const OPS: usize = 200_000;

/// SplitMix64: a seeded generator, so every run parses the same text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A client slot: the process running there and its open call (f, key, invocation value).
type Slot = (u64, Option<(&'static str, u64, Value)>);

/// JSONL text of `ops` ops from 20 concurrent processes, generated from `seed`.
fn generate(ops: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut header = Header::default();
    header.meta.insert("model".into(), json!("cas-register"));
    header.meta.insert("seed".into(), json!(seed));
    let mut w = JsonlWriter::new(Vec::new(), &header).unwrap();
    let mut slots: Vec<Slot> = (0..20).map(|p| (p, None)).collect();
    let mut next_process = 20;
    let mut time = 0u64;
    for index in 0..ops as u64 {
        time += 1 + rng.below(50_000);
        let slot = rng.below(slots.len() as u64) as usize;
        let (process, open) = &mut slots[slot];
        let op = match open.take() {
            None => {
                let key = 1 + rng.below(1000);
                let (f, value) = match rng.below(3) {
                    0 => ("read", Value::Null),
                    1 => ("write", json!(rng.below(5))),
                    _ => ("cas", json!([rng.below(5), rng.below(5)])),
                };
                *open = Some((f, key, value.clone()));
                Op::new(
                    index,
                    time,
                    Process::Client(*process),
                    OpType::Invoke,
                    f,
                    value,
                )
                .with_key(json!(key))
            }
            Some((f, key, value)) => {
                let roll = rng.below(100);
                let (kind, value) = match (f, roll) {
                    (_, 0..=4) => (OpType::Info, value),
                    ("read", _) => (OpType::Ok, json!(rng.below(5))),
                    ("cas", 5..=49) => (OpType::Fail, value),
                    _ => (OpType::Ok, value),
                };
                let mut op = Op::new(index, time, Process::Client(*process), kind, f, value)
                    .with_key(json!(key));
                if kind == OpType::Info {
                    op.error = Some(json!("timed-out"));
                    *process = next_process;
                    next_process += 1;
                }
                op
            }
        };
        w.write_op(&op).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn parse_wall(c: &mut Criterion) {
    let text = generate(OPS, 7);
    parse_group(c.benchmark_group("jsonl_wall"), &text);
}

fn parse_cpu(c: &mut Criterion<CpuTime>) {
    let text = generate(OPS, 7);
    parse_group(c.benchmark_group("jsonl_cpu"), &text);
}

fn parse_group<M: Measurement>(mut group: BenchmarkGroup<'_, M>, text: &str) {
    group.throughput(Throughput::Elements(OPS as u64));
    group.sample_size(20);
    group.bench_function("stream_ops", |b| {
        b.iter(|| {
            let reader = JsonlReader::new(black_box(text.as_bytes())).unwrap();
            let mut n = 0usize;
            for op in reader {
                black_box(op.unwrap());
                n += 1;
            }
            assert_eq!(n, OPS);
        })
    });
    // Dropping the history is left out of the timing (it is not parsing).
    group.bench_function("read_history", |b| {
        b.iter_with_large_drop(|| {
            let h = read_str(black_box(text), Some(Format::Jsonl)).unwrap();
            assert_eq!(h.len(), OPS);
            h
        })
    });
    group.finish();
}

criterion_group!(wall, parse_wall);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime);
    targets = parse_cpu
}
criterion_main!(wall, cpu);
