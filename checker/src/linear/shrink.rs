//! The entry points `rift run`'s own shrinking still calls, until it asks
//! [`crate::Checker::witness`] instead; then this module goes.

pub use crate::witness::sub_history;

/// Reduces `units` while `invalid` holds, to a 1-minimal set (see [`crate::witness::ddmin`]).
pub fn ddmin(units: Vec<usize>, invalid: impl FnMut(&[usize]) -> bool) -> Vec<usize> {
    let unbounded = std::time::Instant::now() + std::time::Duration::from_secs(365 * 86_400);
    crate::witness::ddmin(units, unbounded, invalid).0
}
