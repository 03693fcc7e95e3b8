//! The booking workload: book, cancel and available over R rooms and G guests, biased towards
//! contention; checked against the booking model (linearizability), the booking invariants (no
//! room held by two guests) and convergence.

use super::{BookingOp, Mix, OpSource, Operation, Workload, WorkloadConfig, WorkloadKind};
use crate::RunError;
use checker::convergence::{ConvergenceOptions, StateKind};
use checker::model::spec::{ModelKind, ModelSpec};
use checker::{checkers, Compose};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The booking workload's descriptor.
pub struct BookingWorkload;

impl Workload for BookingWorkload {
    fn kind(&self) -> WorkloadKind {
        WorkloadKind::Booking
    }

    fn ops(&self) -> &'static [(&'static str, u32)] {
        &[("book", 4), ("cancel", 2), ("available", 4)]
    }

    fn model(&self) -> &'static str {
        ModelKind::Booking.name()
    }

    fn validate(&self, config: &WorkloadConfig) -> Result<(), RunError> {
        if config.guests == 0 {
            return Err(RunError::Zero {
                workload: WorkloadKind::Booking,
                what: "guests",
            });
        }
        Ok(())
    }

    fn source(&self, config: &WorkloadConfig, mix: Mix) -> Box<dyn OpSource> {
        Box::new(Bookings::new(mix, config.keys, config.guests))
    }

    fn final_reads(&self, config: &WorkloadConfig) -> Vec<Operation> {
        (0..config.keys as u64)
            .map(|room| Operation::Booking(BookingOp::Available { room }))
            .collect()
    }

    fn checkers(&self, _config: &WorkloadConfig, limit: Duration) -> Compose {
        Compose::new()
            .with(checkers::Linearizable::within(
                ModelSpec::new(ModelKind::Booking),
                limit,
            ))
            .with(checkers::BookingInvariants)
            .with(checkers::Convergence {
                options: ConvergenceOptions {
                    state: StateKind::Booking,
                },
            })
    }
}

/// Draws bookings, cancellations and availability reads. Half the ops go to room 0, "the last
/// room", the rest spread over every room; guests are drawn uniformly, so that two guests often
/// race for the same room (the design's scene). A cancel names the guest this generator last
/// booked the room for, so that cancels free rooms and the contention goes on.
pub struct Bookings {
    mix: Mix,
    rooms: usize,
    guests: usize,
    last_booker: Vec<Option<usize>>,
}

impl Bookings {
    /// Ops over `rooms` rooms and `guests` guests with the given mix.
    pub fn new(mix: Mix, rooms: usize, guests: usize) -> Bookings {
        Bookings {
            mix,
            rooms,
            guests,
            last_booker: vec![None; rooms],
        }
    }
}

/// Guest `g`'s name: `g0`, `g1`, ...
pub fn guest_name(g: usize) -> String {
    format!("g{g}")
}

impl OpSource for Bookings {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> Operation {
        let f = self.mix.draw(rng);
        let r = if rng.gen_bool(0.5) {
            0
        } else {
            rng.gen_range(0..self.rooms)
        };
        let room = r as u64;
        Operation::Booking(match f {
            "book" => {
                let g = rng.gen_range(0..self.guests);
                self.last_booker[r] = Some(g);
                BookingOp::Book {
                    room,
                    guest: guest_name(g),
                }
            }
            "cancel" => {
                let g = self.last_booker[r]
                    .take()
                    .unwrap_or_else(|| rng.gen_range(0..self.guests));
                BookingOp::Cancel {
                    room,
                    guest: guest_name(g),
                }
            }
            _ => BookingOp::Available { room },
        })
    }
}
