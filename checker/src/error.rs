//! The one error type of this crate: input a checker cannot judge.

use histories::HistoryError;

/// Why a history could not be checked at all (as opposed to a verdict about it).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The history is ill-formed (pairing failed).
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A call does not fit the model: unknown f, or a value of the wrong shape.
    #[error("call {call} (op index {index}, process {process}): {message}")]
    BadCall {
        /// The call's id.
        call: usize,
        /// Index of its invocation op.
        index: u64,
        /// The process.
        process: histories::Process,
        /// What was expected and what was found.
        message: String,
    },
    /// The model cannot be chosen or configured as asked.
    #[error("{0}")]
    Model(String),
    /// A history in the transactional test notation could not be read.
    #[error("notation, entry {entry} ({text:?}): {message}")]
    Notation {
        /// The entry (transaction) number, from 1.
        entry: usize,
        /// The entry's text.
        text: String,
        /// What was expected and what was found.
        message: String,
    },
}

impl CheckError {
    /// A [`CheckError::BadCall`] about `call`.
    pub fn bad_call(call: &histories::Call, message: impl Into<String>) -> CheckError {
        CheckError::BadCall {
            call: call.id,
            index: call.invoke_index,
            process: call.process,
            message: message.into(),
        }
    }
}
