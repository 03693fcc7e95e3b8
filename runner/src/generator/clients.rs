//! The client generator: a workload's ops at a seeded, jittered rate until the time limit.

use super::{Context, Generator, Next};
use crate::workload::{OpSource, Operation};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How far behind its schedule the generator may fall before it forgets the backlog (ns): after a
/// stall (every client blocked on a paused node) ops resume at the rate, not in a burst.
const MAX_BACKLOG_NS: u64 = 1_000_000_000;

/// Ops from an [`OpSource`] at `rate` ops/s overall (each gap jittered uniformly in [0.5, 1.5] of
/// the mean; no limit when the rate is 0), until `time_limit` ns.
pub struct Clients {
    source: Box<dyn OpSource>,
    rng: ChaCha8Rng,
    period_ns: Option<u64>,
    time_limit: u64,
    next_at: u64,
}

impl Clients {
    /// A generator seeded with `seed` (every draw of op and gap comes from it).
    pub fn new(source: Box<dyn OpSource>, seed: u64, rate: f64, time_limit: u64) -> Clients {
        let period_ns = (rate > 0.0).then(|| (1e9 / rate).max(1.0) as u64);
        Clients {
            source,
            rng: ChaCha8Rng::seed_from_u64(seed),
            period_ns,
            time_limit,
            next_at: 0,
        }
    }
}

impl Generator for Clients {
    type Item = Operation;
    fn next(&mut self, ctx: Context) -> Next {
        if ctx.time >= self.time_limit {
            return Next::Done;
        }
        if let Some(period) = self.period_ns {
            if ctx.time < self.next_at {
                return Next::Pending(self.next_at);
            }
            let gap = self.rng.gen_range(period / 2..=period + period / 2);
            self.next_at = self.next_at.max(ctx.time.saturating_sub(MAX_BACKLOG_NS)) + gap;
        }
        Next::Op(self.source.draw(&mut self.rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::simulate;
    use crate::workload::{BookingOp, RegisterOp, WorkloadConfig, WorkloadKind};
    use std::collections::HashSet;

    const S: u64 = 1_000_000_000;

    fn clients(kind: WorkloadKind, seed: u64, rate: f64, limit: u64) -> Clients {
        let w = WorkloadConfig {
            kind: Some(kind),
            ..WorkloadConfig::default()
        };
        Clients::new(w.source().unwrap(), seed, rate, limit)
    }

    #[test]
    fn the_same_seed_gives_the_same_op_schedule() {
        for kind in WorkloadKind::ALL {
            let a = simulate(&mut clients(kind, 11, 100.0, 10 * S), 4, S / 100, 10_000);
            let b = simulate(&mut clients(kind, 11, 100.0, 10 * S), 4, S / 100, 10_000);
            let c = simulate(&mut clients(kind, 12, 100.0, 10 * S), 4, S / 100, 10_000);
            assert_eq!(a, b, "{kind}");
            assert_ne!(a, c, "{kind}");
        }
    }

    #[test]
    fn a_schedule_keeps_its_rate_and_stops_at_the_time_limit() {
        let s = simulate(
            &mut clients(WorkloadKind::Booking, 3, 200.0, 10 * S),
            10,
            S / 1000,
            100_000,
        );
        assert!(s.iter().all(|o| o.time < 10 * S));
        assert!(
            (1800..=2200).contains(&s.len()),
            "{} ops in 10 s at 200/s",
            s.len()
        );
        let first_half = s.iter().filter(|o| o.time < 5 * S).count();
        assert!(
            (900..=1100).contains(&first_half),
            "{first_half} ops in the first 5 s"
        );
    }

    #[test]
    fn an_unlimited_rate_gives_an_op_to_every_free_client() {
        let s = simulate(
            &mut clients(WorkloadKind::Register, 3, 0.0, S),
            5,
            S / 100,
            100_000,
        );
        assert_eq!(s.len(), 5 * 100);
    }

    #[test]
    fn written_values_are_unique() {
        let s = simulate(
            &mut clients(WorkloadKind::Register, 5, 0.0, S),
            5,
            S / 1000,
            100_000,
        );
        let mut written = HashSet::new();
        for o in &s {
            let new = match o.operation {
                Operation::Register(RegisterOp::Write { value, .. }) => value,
                Operation::Register(RegisterOp::Cas { to, .. }) => to,
                _ => continue,
            };
            assert!(written.insert(new), "value {new} written twice");
        }
    }

    #[test]
    fn booking_ops_favour_the_last_room_so_guests_race_for_it() {
        let s = simulate(
            &mut clients(WorkloadKind::Booking, 8, 0.0, S),
            4,
            S / 1000,
            100_000,
        );
        let books: Vec<(u64, &str)> = s
            .iter()
            .filter_map(|o| match &o.operation {
                Operation::Booking(BookingOp::Book { room, guest }) => {
                    Some((*room, guest.as_str()))
                }
                _ => None,
            })
            .collect();
        let room0 = books.iter().filter(|(room, _)| *room == 0).count();
        assert!(
            room0 * 2 > books.len(),
            "{room0} of {} bookings on room 0",
            books.len()
        );
        let guests: HashSet<&str> = books.iter().map(|(_, g)| *g).collect();
        assert!(guests.len() >= 2);
    }
}
