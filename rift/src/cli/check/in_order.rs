//! Work on a list of items on every core, with the results handed back in the list's order as
//! soon as each one and all before it are done (so output streams in a stable order).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `work` on each of `items` on up to `threads` threads (at least one) and calls `emit` with
/// each result, in the items' order, on the calling thread. With one thread or one item the work
/// is done on the calling thread (whose stack is the main thread's, not a spawned thread's).
pub fn in_order<I: Sync, T: Send>(
    items: &[I],
    threads: usize,
    work: impl Fn(&I) -> T + Sync,
    mut emit: impl FnMut(&I, T),
) {
    if threads <= 1 || items.len() <= 1 {
        for item in items {
            emit(item, work(item));
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(items.len()) {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if tx.send((i, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (i, result) in rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&due) {
                emit(&items[due], result);
                due += 1;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_back_in_the_items_order_whatever_order_they_finish_in() {
        let items: Vec<u64> = (0..20).collect();
        let mut seen = Vec::new();
        in_order(
            &items,
            4,
            |&i| {
                // Early items finish last.
                std::thread::sleep(Duration::from_millis(20 - i));
                i * 10
            },
            |&i, r| seen.push((i, r)),
        );
        let expected: Vec<(u64, u64)> = items.iter().map(|&i| (i, i * 10)).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn no_items_and_zero_threads_are_fine() {
        let mut calls = 0;
        in_order(&[] as &[u8], 0, |_| (), |_, _| calls += 1);
        assert_eq!(calls, 0);
        in_order(&[1u8, 2], 0, |&x| x, |_, _| calls += 1);
        assert_eq!(calls, 2);
    }
}
