//! The plots' aggregates, per time bucket: latency quantiles and throughput per operation and
//! outcome. (The latency scatter is drawn from the call columns themselves.)

use histories::{Call, Outcome};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many buckets the run's span is cut into.
pub(crate) const BUCKETS: usize = 120;

/// The aggregates, bucket by bucket.
#[derive(Debug, Serialize)]
pub(crate) struct Plots {
    /// The width of a bucket, in ticks.
    pub bucket: u64,
    /// Latency quantiles (ms) of the calls completed in each bucket; `None` where none did.
    pub p50: Vec<Option<f64>>,
    /// See `p50`.
    pub p95: Vec<Option<f64>>,
    /// See `p50`.
    pub p99: Vec<Option<f64>>,
    /// See `p50`.
    pub max: Vec<Option<f64>>,
    /// Completions per second, per operation and outcome.
    pub throughput: Vec<Series>,
}

/// One line of the throughput plot.
#[derive(Debug, Serialize)]
pub(crate) struct Series {
    /// The operation.
    pub f: String,
    /// ok, fail or info.
    pub outcome: &'static str,
    /// Completions per second in each bucket.
    pub rate: Vec<f64>,
}

/// The `q` quantile of sorted values (nearest rank).
fn quantile(sorted: &[u64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1e6
}

/// The plots of `calls` over `[0, end_ns]`, with buckets a whole number of `tick_ns`.
pub(crate) fn plots(calls: &[Call], end_ns: u64, tick_ns: u64) -> Plots {
    let end_ticks = (end_ns / tick_ns).max(1);
    let bucket = end_ticks.div_ceil(BUCKETS as u64).max(1);
    let n = end_ticks.div_ceil(bucket) as usize + 1;
    let bucket_of = |t: u64| ((t / tick_ns / bucket) as usize).min(n - 1);
    let mut latencies: Vec<Vec<u64>> = vec![Vec::new(); n];
    let mut counts: BTreeMap<(&str, u8), Vec<f64>> = BTreeMap::new();
    for c in calls {
        let Some(done) = c.complete_time else {
            continue;
        };
        let b = bucket_of(done);
        latencies[b].push(done.saturating_sub(c.invoke_time));
        let outcome = match c.outcome {
            Outcome::Ok => 0,
            Outcome::Fail => 1,
            Outcome::Info => 2,
        };
        counts
            .entry((c.f.as_str(), outcome))
            .or_insert_with(|| vec![0.0; n])[b] += 1.0;
    }
    let seconds = (bucket * tick_ns) as f64 / 1e9;
    let mut p50 = Vec::with_capacity(n);
    let mut p95 = Vec::with_capacity(n);
    let mut p99 = Vec::with_capacity(n);
    let mut max = Vec::with_capacity(n);
    for mut l in latencies {
        l.sort_unstable();
        let q = |x: f64| (!l.is_empty()).then(|| quantile(&l, x));
        p50.push(q(0.5));
        p95.push(q(0.95));
        p99.push(q(0.99));
        max.push(q(1.0));
    }
    Plots {
        bucket,
        p50,
        p95,
        p99,
        max,
        throughput: counts
            .into_iter()
            .map(|((f, o), c)| Series {
                f: f.to_string(),
                outcome: ["ok", "fail", "info"][o as usize],
                rate: c.into_iter().map(|k| k / seconds).collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_take_the_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|ms| ms * 1_000_000).collect();
        assert_eq!(quantile(&v, 0.5), 50.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&v, 1.0), 100.0);
        assert_eq!(quantile(&v[..1], 0.5), 1.0);
    }
}
