//! A weighted choice of op names.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Op names with positive weights; draws one in proportion to its weight.
#[derive(Debug, Clone)]
pub struct Mix {
    weights: Vec<(&'static str, u32)>,
    total: u32,
}

impl Mix {
    /// The mix of the ops with a positive weight; `None` when none has one.
    pub fn new(weights: Vec<(&'static str, u32)>) -> Option<Mix> {
        let weights: Vec<_> = weights.into_iter().filter(|(_, w)| *w > 0).collect();
        let total = weights.iter().map(|(_, w)| w).sum();
        (total > 0).then_some(Mix { weights, total })
    }

    /// The op names with a positive weight.
    pub fn names(&self) -> Vec<&'static str> {
        self.weights.iter().map(|(f, _)| *f).collect()
    }

    /// One op name, drawn in proportion to the weights.
    pub fn draw(&self, rng: &mut ChaCha8Rng) -> &'static str {
        let mut x = rng.gen_range(0..self.total);
        for (f, w) in &self.weights {
            if x < *w {
                return f;
            }
            x -= w;
        }
        unreachable!("weights sum to total")
    }
}
