//! The booking workload's ops: book, cancel and available over R rooms and G guests, biased towards
//! contention.

use super::Mix;
use crate::generator::OpSource;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

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

/// A guest's name as sent to the service.
pub fn guest_name(g: usize) -> String {
    format!("g{g}")
}

impl OpSource for Bookings {
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> (String, Option<Value>, Value) {
        let f = self.mix.draw(rng);
        let room = if rng.gen_bool(0.5) {
            0
        } else {
            rng.gen_range(0..self.rooms)
        };
        let value = match f {
            "book" => {
                let g = rng.gen_range(0..self.guests);
                self.last_booker[room] = Some(g);
                json!(guest_name(g))
            }
            "cancel" => {
                let g = self.last_booker[room]
                    .take()
                    .unwrap_or_else(|| rng.gen_range(0..self.guests));
                json!(guest_name(g))
            }
            _ => Value::Null,
        };
        (f.to_string(), Some(json!(room)), value)
    }
}
