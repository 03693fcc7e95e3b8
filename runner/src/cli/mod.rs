//! The command line: one file per subcommand; this file only lists them and dispatches.

use clap::{Parser, Subcommand};

/// rift: Jepsen-style fault injection and history checking.
///
/// Exit codes: 0 valid, 1 invalid, 2 unknown, 3 usage or harness error.
#[derive(Debug, Parser)]
#[command(name = "rift", version, about, long_about = None)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// rift's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print rift's version.
    Version,
}

/// Runs a parsed command line and returns the process exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Version => {
            println!("rift {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
    }
}
