//! `booking-node`: one replica of the booking service.

fn main() {
    eprintln!("booking-node: not built yet");
    std::process::exit(3);
}
