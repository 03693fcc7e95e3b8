//! rift's native format: JSON Lines, a header line then one op per line, read and written as
//! streams.

mod op_line;
pub mod reader;
pub mod writer;

pub use reader::JsonlReader;
pub use writer::{write_jsonl, JsonlWriter};
