//! The `rift` command line, as a library: [`main`] runs it over the systems of a
//! [`Registry`]. The `rift` binary is that call with the built-in
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
mod serve;

use clap::{CommandFactory, FromArgMatches};
use runner::run::RunConfig;
use runner::system::Registry;

/// The systems rift ships: the booking service (the default), etcd, Redis, PostgreSQL and MariaDB
/// Galera Cluster.
#[cfg(feature = "builtin")]
pub fn builtin() -> Registry {
    Registry::new()
        .with(rift_booking::Booking)
        .with(rift_etcd::Etcd)
        .with(rift_redis::Redis)
        .with(rift_postgres::Postgres)
        .with(rift_galera::Galera)
}

/// `rift run --help`'s epilogue: the exit codes, and the config a run with no options uses.
fn run_defaults(registry: &Registry) -> String {
    let mut config = RunConfig::default();
    let defaults = match config.resolve(registry) {
        Ok(_) => config.to_toml(),
        Err(e) => format!("(no default config: {e})\n"),
    };
    format!(
        "Exit codes: 0 valid, 1 invalid, 2 unknown, 3 usage or harness error.\n\n\
         With no options (and as the base a --config file's fields override), a run uses:\n\n{defaults}"
    )
}

/// Runs rift's command line over `registry`'s systems and exits with rift's exit code.
pub fn main(registry: Registry) -> ! {
    let defaults = run_defaults(&registry);
    let command = cli::Cli::command().mut_subcommand("run", |run| run.after_help(defaults));
    // clap exits 2 on a usage error, which is rift's "unknown"; usage errors are 3.
    let args = command
        .try_get_matches()
        .and_then(|m| cli::Cli::from_arg_matches(&m))
        .unwrap_or_else(|e| {
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
