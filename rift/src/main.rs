//! `rift`: fault injection and history checking for distributed systems.
//!
//! Exit codes: 0 valid, 1 invalid, 2 unknown, 3 usage or harness error.

mod cli;

use clap::Parser;

fn main() {
    // clap exits 2 on a usage error, which is rift's "unknown"; usage errors are 3.
    let args = cli::Cli::try_parse().unwrap_or_else(|e| {
        let _ = e.print();
        std::process::exit(if e.use_stderr() { 3 } else { 0 });
    });
    match cli::dispatch(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("rift: {e:#}");
            std::process::exit(3);
        }
    }
}
