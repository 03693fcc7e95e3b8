//! The file formats of histories.
//!
//! - [`Format::Jsonl`], rift's native format: a header line `{"rift_history":1, ...meta}`, then one
//!   [`crate::Op`] per line. Read and written as streams ([`JsonlReader`], [`JsonlWriter`]).
//! - [`Format::Edn`], Jepsen's EDN histories (Knossos, Elle): read, and written for export.
//! - [`Format::JepsenLog`], the op lines of Jepsen's console log (`INFO jepsen.util - 3 :invoke
//!   :cas [1 4]`): read.
//! - [`Format::PorcupineKv`], Porcupine's kv histories: EDN maps one per line, with `:key`; read
//!   with the EDN reader.
//!
//! [`detect`](fn@detect) tells the format from the first bytes of a file; [`read_path`] and [`read_str`] read
//! a whole history, recording the file and line of every op so that later errors can name them.

pub mod detect;
pub mod edn;
pub mod jepsen_log;
pub mod jsonl;
pub mod read;

pub use detect::{detect, Format};
pub use edn::write_edn;
pub use jsonl::{write_jsonl, JsonlReader, JsonlWriter};
pub use read::{read_path, read_str};
