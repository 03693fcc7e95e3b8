//! Values as a store keeps them: systems that store text (Redis, etcd) write a workload's
//! integers as their decimal text, and a history records what they read back as the number again.

use serde_json::{json, Value};

/// A stored value as the history records it: a number when it reads as one, else the text.
pub fn value(stored: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(stored).map_or_else(|_| json!(stored), Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::{ClientError, Completion, FailureKind};

    #[test]
    fn values_come_back_as_numbers_when_they_read_as_one() {
        assert_eq!(value("42"), json!(42));
        assert_eq!(value("x"), json!("x"));
    }

    #[test]
    fn a_timeout_is_info_and_a_refusal_is_fail() {
        let t = ClientError::new("n1", FailureKind::TimedOut, "no answer");
        assert!(matches!(Completion::from(t), Completion::Info(_)));
        let r = ClientError::new("n1", FailureKind::Unreachable, "refused");
        assert!(matches!(Completion::from(r), Completion::Fail(_)));
    }
}
