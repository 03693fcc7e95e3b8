//! `rift serve [STORE]`: browse a run store in a web browser.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// Serve a run store read-only on a local web server: every run, newest first, filterable by
/// test, system, strategy, nemesis, verdict and seed, each linking to its report and files.
///
/// Exit codes: 0 after Ctrl-C, 3 when the store cannot be opened or the address not bound.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run store's root directory.
    #[arg(default_value = "store")]
    pub store: PathBuf,
    /// The port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on; the default is this machine only.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
}

/// Runs `rift serve`.
pub fn run(args: Args) -> anyhow::Result<i32> {
    crate::serve::serve(args.store, SocketAddr::new(args.bind, args.port))?;
    Ok(0)
}
