//! Mapping EDN values into JSON values, the value model of [`crate::Op`].
//!
//! Keywords and symbols become strings without the colon (`:read` -> `"read"`), `nil` becomes
//! `null`, vectors, lists and sets become arrays, maps become objects whose keys are the keyword or
//! string names (other keys are written as EDN text), characters become one-character strings,
//! tags are dropped (`#inst "x"` -> `"x"`). Integers beyond the range of `i64`/`u64` become strings
//! of their digits, and non-finite floats the strings `"Inf"`, `"-Inf"`, `"NaN"`: JSON numbers
//! cannot hold them, and a string keeps distinct values distinct.

use super::value::Edn;
use serde_json::{Map, Number, Value};

/// The JSON value of an EDN value.
pub fn to_json(edn: &Edn) -> Value {
    match edn {
        Edn::Nil => Value::Null,
        Edn::Bool(b) => Value::Bool(*b),
        Edn::Int(i) => Value::from(*i),
        Edn::BigInt(digits) => match digits.parse::<u64>() {
            Ok(u) => Value::from(u),
            Err(_) => Value::String(digits.clone()),
        },
        Edn::Float(x) => match Number::from_f64(*x) {
            Some(n) => Value::Number(n),
            None if x.is_nan() => Value::String("NaN".into()),
            None if *x > 0.0 => Value::String("Inf".into()),
            None => Value::String("-Inf".into()),
        },
        Edn::Str(s) | Edn::Keyword(s) | Edn::Symbol(s) => Value::String(s.clone()),
        Edn::Char(c) => Value::String(c.to_string()),
        Edn::Vector(items) | Edn::List(items) | Edn::Set(items) => {
            Value::Array(items.iter().map(to_json).collect())
        }
        Edn::Map(pairs) => Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (key_name(k), to_json(v)))
                .collect::<Map<String, Value>>(),
        ),
        Edn::Tagged(_, inner) => to_json(inner),
    }
}

/// The JSON object key for an EDN map key.
pub fn key_name(key: &Edn) -> String {
    match key.untagged() {
        Edn::Keyword(s) | Edn::Str(s) | Edn::Symbol(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::edn::parser::Parser;
    use serde_json::json;

    fn json_of(text: &str) -> Value {
        to_json(&Parser::new(text).parse_value().unwrap())
    }

    #[test]
    fn keywords_lose_their_colon_and_collections_become_arrays() {
        assert_eq!(json_of("[:append :x 1]"), json!(["append", "x", 1]));
        assert_eq!(json_of("(nil #{2})"), json!([null, [2]]));
    }

    #[test]
    fn map_keys_are_stringified() {
        assert_eq!(
            json_of("{:a 1, \"b\" 2, 3 [4]}"),
            json!({"a": 1, "b": 2, "3": [4]})
        );
    }

    #[test]
    fn numbers_beyond_u64_keep_their_digits_as_strings() {
        assert_eq!(
            json_of("18446744073709551615"),
            json!(18446744073709551615u64)
        );
        assert_eq!(
            json_of("18446744073709551616"),
            json!("18446744073709551616")
        );
        assert_eq!(json_of("##NaN"), json!("NaN"));
    }
}
