//! A hashable, cheaply cloned JSON value for model states and actions.
//!
//! `serde_json::Value` implements neither `Hash` nor cheap `Clone`; the search hashes states
//! millions of times, so models hold [`Datum`]s instead.

use serde::{Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// A JSON value that can be hashed and cloned in O(1).
///
/// Numbers are kept as integers when they are integers; other numbers and objects keep their
/// canonical JSON text, so equality is JSON equality for everything histories carry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Datum {
    /// `null`: no value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(Arc<str>),
    /// A list.
    List(Arc<[Datum]>),
    /// Anything else (floats, big numbers, objects), as canonical JSON text.
    Other(Arc<str>),
}

impl Datum {
    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Datum::Null)
    }

    /// The elements when this is a list.
    pub fn as_list(&self) -> Option<&[Datum]> {
        match self {
            Datum::List(l) => Some(l),
            _ => None,
        }
    }

    /// The text when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Datum::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer when this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Datum::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Back to JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Datum::Null => Value::Null,
            Datum::Bool(b) => Value::Bool(*b),
            Datum::Int(i) => Value::from(*i),
            Datum::Str(s) => Value::String(s.to_string()),
            Datum::List(l) => Value::Array(l.iter().map(Datum::to_json).collect()),
            Datum::Other(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        }
    }
}

impl From<&Value> for Datum {
    fn from(v: &Value) -> Datum {
        match v {
            Value::Null => Datum::Null,
            Value::Bool(b) => Datum::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Datum::Int(i),
                None => Datum::Other(n.to_string().into()),
            },
            Value::String(s) => Datum::Str(s.as_str().into()),
            Value::Array(a) => Datum::List(a.iter().map(Datum::from).collect()),
            Value::Object(_) => Datum::Other(v.to_string().into()),
        }
    }
}

impl From<i64> for Datum {
    fn from(i: i64) -> Datum {
        Datum::Int(i)
    }
}

impl From<&str> for Datum {
    fn from(s: &str) -> Datum {
        Datum::Str(s.into())
    }
}

impl fmt::Display for Datum {
    /// JSON text, except that strings print bare when they are simple words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Datum::Null => f.write_str("nil"),
            Datum::Bool(b) => write!(f, "{b}"),
            Datum::Int(i) => write!(f, "{i}"),
            Datum::Str(s) => write!(f, "{s:?}"),
            Datum::List(l) => {
                f.write_str("[")?;
                for (i, d) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{d}")?;
                }
                f.write_str("]")
            }
            Datum::Other(t) => f.write_str(t),
        }
    }
}

impl Serialize for Datum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_and_strings_survive_a_round_trip_through_datum() {
        for v in [
            json!(3),
            json!("x"),
            json!([1, "a", null]),
            json!({"a": 1}),
            json!(1.5),
        ] {
            assert_eq!(Datum::from(&v).to_json(), v);
        }
    }

    #[test]
    fn equal_json_gives_equal_datums() {
        assert_eq!(Datum::from(&json!([1, 2])), Datum::from(&json!([1, 2])));
        assert_ne!(Datum::from(&json!(1)), Datum::from(&json!("1")));
    }
}
