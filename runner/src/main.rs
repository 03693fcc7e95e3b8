//! `rift`: fault injection and history checking for distributed systems.
//!
//! Exit codes: 0 valid, 1 invalid, 2 unknown, 3 usage or harness error.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("rift: {e:#}");
            std::process::exit(3);
        }
    }
}
