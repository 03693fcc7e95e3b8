//! Seeds: one run seed, split into independent streams for each kind of random choice.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The stream of random choices a seed is split into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// The clients' ops, keys, values, nodes and timing jitter.
    Ops,
    /// The nemesis plan: which fault, when, against which nodes.
    Nemesis,
    /// The injector's own choices (targets left to resolve when applied, e.g. primaries).
    Injector,
}

/// The seed of `stream` derived from the run's seed: ChaCha8 keyed by the run seed, one
/// ChaCha stream per kind of choice, so that adding ops never shifts the fault schedule.
pub fn derive(seed: u64, stream: Stream) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64 + 1);
    rng.next_u64()
}

/// A fresh seed for a run that was given none.
pub fn fresh() -> u64 {
    rand::random::<u64>() >> 12 // short enough to read and type
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_of_one_seed_differ_and_are_stable() {
        let a = derive(5, Stream::Ops);
        assert_eq!(a, derive(5, Stream::Ops));
        assert_ne!(a, derive(5, Stream::Nemesis));
        assert_ne!(a, derive(6, Stream::Ops));
    }
}
