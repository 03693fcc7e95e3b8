//! The JSON-lines driver protocol: a client side any program can provide, one process per run
//! speaking newline-delimited JSON on its standard input and output. The protocol itself is
//! documented in `PROTOCOL.md` beside this file.

mod client;
mod process;
mod protocol;

pub use client::JsonlDriver;
pub use process::DriverCommand;
pub use protocol::{Answer, NodeInfo, OpJson, Request, VERSION};
