//! Jepsen's EDN: a hand-written reader that reports line and column, the mapping of Jepsen op maps
//! into [`crate::Op`], and the writer for export.
//!
//! A hand-written reader rather than a crate: the EDN crates on crates.io either do not report
//! positions or are unmaintained, and histories use a small, stable subset of EDN.

pub mod document;
pub mod json;
pub mod op_map;
pub mod parser;
pub mod value;
pub mod writer;

pub use document::read_edn;
pub use value::Edn;
pub use writer::write_edn;
