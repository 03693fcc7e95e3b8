//! Work on every node or host of a cluster at once, one thread each: a cluster's steps (making
//! namespaces, connecting hosts, setting nodes up, waiting for them) each wait on the slowest
//! node, not on the sum of them.

/// `f` of every item, each on a thread of its own, in the items' order. A panic in `f` is
/// raised again in the caller.
pub fn at_once<T: Send, R: Send>(
    items: impl IntoIterator<Item = T>,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .into_iter()
            .map(|item| scope.spawn(move || f(item)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::at_once;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    #[test]
    fn results_come_in_the_items_order_and_the_items_run_together() {
        let arrived = AtomicUsize::new(0);
        let out = at_once([3u64, 1, 2], |n| {
            arrived.fetch_add(1, Ordering::SeqCst);
            // Each waits for the other two, which it sees only if they run beside it.
            let deadline = Instant::now() + Duration::from_secs(10);
            while arrived.load(Ordering::SeqCst) < 3 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            (n * 10, arrived.load(Ordering::SeqCst) == 3)
        });
        assert_eq!(out, [(30, true), (10, true), (20, true)]);
    }
}
