//! `rift`: fault injection and history checking for distributed systems, with its built-in
//! systems under test — the booking service (the default), etcd and Redis.
//!
//! Exit codes: 0 valid, 1 invalid, 2 unknown, 3 usage or harness error.

fn main() {
    rift::main(rift::builtin())
}
