//! The timeline the search walks: the invocation and completion events of one partition's calls
//! in real-time order, as a doubly linked list from which linearised calls are lifted out (and put
//! back, in reverse order, when the search backtracks: Knuth's dancing links).
//!
//! Node 0 is the head sentinel; node `k > 0` is event `k - 1`. Only calls that must take effect
//! (those with a completion) are on it: the search keeps the calls that may never take effect
//! (info, or never completed) apart, as interchangeable classes (see `search`).

use super::problem::Entry;

#[derive(Clone, Copy)]
enum Event {
    Invoke(u32),
    Complete(u32),
}

/// The events not yet lifted out, in real-time order.
pub(crate) struct Timeline {
    next: Vec<u32>,
    prev: Vec<u32>,
    events: Vec<Event>,
    invoke_node: Vec<u32>,
    /// 0 for a call without a completion (not on the timeline).
    complete_node: Vec<u32>,
}

impl Timeline {
    /// The events of every call that must take effect, none lifted out.
    pub(crate) fn new<A>(entries: &[Entry<A>]) -> Timeline {
        let mut order: Vec<(u64, Event)> = Vec::with_capacity(2 * entries.len());
        for (i, e) in entries.iter().enumerate() {
            if let Some(c) = e.complete {
                order.push((e.invoke, Event::Invoke(i as u32)));
                order.push((c, Event::Complete(i as u32)));
            }
        }
        // At one position a completion comes before an invocation.
        order.sort_by_key(|&(pos, ev)| (pos, matches!(ev, Event::Invoke(_))));
        let m = order.len() as u32;
        let mut invoke_node = vec![0u32; entries.len()];
        let mut complete_node = vec![0u32; entries.len()];
        for (k, &(_, ev)) in order.iter().enumerate() {
            match ev {
                Event::Invoke(i) => invoke_node[i as usize] = k as u32 + 1,
                Event::Complete(i) => complete_node[i as usize] = k as u32 + 1,
            }
        }
        Timeline {
            next: (0..=m).map(|k| if k == m { 0 } else { k + 1 }).collect(),
            prev: (0..=m).map(|k| if k == 0 { m } else { k - 1 }).collect(),
            events: std::iter::once(Event::Complete(u32::MAX))
                .chain(order.iter().map(|e| e.1))
                .collect(),
            invoke_node,
            complete_node,
        }
    }

    fn unlink(&mut self, x: u32) {
        let (p, n) = (self.prev[x as usize], self.next[x as usize]);
        self.next[p as usize] = n;
        self.prev[n as usize] = p;
    }

    fn relink(&mut self, x: u32) {
        let (p, n) = (self.prev[x as usize], self.next[x as usize]);
        self.next[p as usize] = x;
        self.prev[n as usize] = x;
    }

    /// Lifts call `i`'s events out (it has been linearised).
    pub(crate) fn lift(&mut self, i: usize) {
        self.unlink(self.invoke_node[i]);
        self.unlink(self.complete_node[i]);
    }

    /// Puts back the events of call `i`, the call lifted out last.
    pub(crate) fn restore(&mut self, i: usize) {
        self.relink(self.complete_node[i]);
        self.relink(self.invoke_node[i]);
    }

    /// The call whose completion comes first: it must take effect before any call invoked after
    /// that completion. `None` when no completion is left.
    pub(crate) fn urgent(&self) -> Option<usize> {
        let mut x = self.next[0];
        while x != 0 {
            if let Event::Complete(i) = self.events[x as usize] {
                return Some(i as usize);
            }
            x = self.next[x as usize];
        }
        None
    }

    /// The first node after the head.
    pub(crate) fn first(&self) -> u32 {
        self.next[0]
    }

    /// The call invoked at node `x` and the node after it; `None` at a completion or at the end.
    /// Walking from [`Timeline::first`] this way visits the *window*: the calls that may take
    /// effect next (invoked before the first completion).
    pub(crate) fn invocation_at(&self, x: u32) -> Option<(usize, u32)> {
        match self.events[x as usize] {
            Event::Invoke(i) => Some((i as usize, self.next[x as usize])),
            Event::Complete(_) => None,
        }
    }

    /// The node of the first completion (0 when none is left): the window ends there.
    pub(crate) fn end_of_window(&self) -> u32 {
        let mut x = self.next[0];
        while let Some((_, next)) = self.invocation_at(x) {
            x = next;
        }
        x
    }

    /// The calls of the window invoked after event node `since` (0: every call of the window),
    /// in invocation order.
    pub(crate) fn window_since(&self, since: u32) -> impl Iterator<Item = usize> + '_ {
        let mut x = self.first();
        std::iter::from_fn(move || loop {
            let (i, next) = self.invocation_at(x)?;
            x = next;
            if self.invoke_node[i] > since {
                return Some(i);
            }
        })
    }

    /// The calls of the timeline still to linearise that are invoked before call `t` completes,
    /// except `t`: every call that must take effect and may do so before `t` does.
    pub(crate) fn before_completion(&self, t: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.complete_node[t];
        let mut x = self.first();
        std::iter::from_fn(move || loop {
            if x == end || x == 0 {
                return None;
            }
            let here = x;
            x = self.next[x as usize];
            if let Event::Invoke(i) = self.events[here as usize] {
                if i as usize != t {
                    return Some(i as usize);
                }
            }
        })
    }
}
