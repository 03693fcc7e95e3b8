//! The `rift` command line, as a library: [`main`] runs it over the systems of a
//! [`Registry`](runner::system::Registry). The `rift` binary is that call with the built-in
//! systems registered; a binary of one's own registers its own systems the same way:
//!
//! ```no_run
//! # use runner::system::Registry;
//! # struct MyStore;
//! fn main() {
//!     # let my_store = || -> Registry { unimplemented!() };
//!     // Registry::new().with(MyStore) — any type implementing runner::system::System.
//!     rift::main(my_store())
//! }
//! ```
//!
//! Exit codes: 0 valid, 1 invalid, 2 unknown, 3 usage or harness error.

mod cli;

use clap::Parser;
use runner::system::Registry;

/// The systems rift ships: the booking service (the default), etcd and Redis.
#[cfg(feature = "builtin")]
pub fn builtin() -> Registry {
    Registry::new()
        .with(rift_booking::Booking)
        .with(rift_etcd::Etcd)
        .with(rift_redis::Redis)
}

/// Runs rift's command line over `registry`'s systems and exits with rift's exit code.
pub fn main(registry: Registry) -> ! {
    // clap exits 2 on a usage error, which is rift's "unknown"; usage errors are 3.
    let args = cli::Cli::try_parse().unwrap_or_else(|e| {
        let _ = e.print();
        std::process::exit(if e.use_stderr() { 3 } else { 0 });
    });
    match cli::dispatch(args, &registry) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("rift: {e:#}");
            std::process::exit(3);
        }
    }
}
