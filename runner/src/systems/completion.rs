//! How the drivers of real systems turn values into stored text and back, and failures into
//! history completions.

use super::ClientError;
use crate::record::Completion;
use serde_json::{json, Value};

/// A workload value as a store keeps it: its JSON text, without quotes for strings.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A stored value as the history records it: a number when it reads as one.
pub fn value(stored: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(stored).map_or_else(|_| json!(stored), Value::Number)
}

/// A failed call: `fail` when definite, `info` otherwise.
pub fn failed(e: ClientError) -> Completion {
    if e.is_definite() {
        Completion::Fail(json!(e.to_string()))
    } else {
        Completion::Info(json!(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::systems::FailureKind;

    #[test]
    fn values_travel_as_text_and_come_back_as_numbers() {
        assert_eq!(text(&json!(42)), "42");
        assert_eq!(text(&json!("x")), "x");
        assert_eq!(value("42"), json!(42));
        assert_eq!(value("x"), json!("x"));
    }

    #[test]
    fn a_timeout_is_info_and_a_refusal_is_fail() {
        let t = ClientError::new("n1", FailureKind::TimedOut, "no answer");
        assert!(matches!(failed(t), Completion::Info(_)));
        let r = ClientError::new("n1", FailureKind::Unreachable, "refused");
        assert!(matches!(failed(r), Completion::Fail(_)));
    }
}
