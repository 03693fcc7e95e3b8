//! Reading an [`Op`] from serde, by hand: known fields by name, every other key into
//! [`Op::extra`]. Deriving with `#[serde(flatten)]` would buffer every field of every op before
//! sorting them out, which made parsing JSONL histories two to three times slower.

use crate::{Op, OpType, Process};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A key of an op object (also the fast JSONL path's, formats/jsonl/op_line.rs).
pub(crate) enum Field<'de> {
    Index,
    Time,
    Process,
    Type,
    F,
    Key,
    Value,
    Error,
    Node,
    Other(Cow<'de, str>),
}

impl<'de> Field<'de> {
    pub(crate) fn of(name: Cow<'de, str>) -> Field<'de> {
        match name.as_ref() {
            "index" => Field::Index,
            "time" => Field::Time,
            "process" => Field::Process,
            "type" => Field::Type,
            "f" => Field::F,
            "key" => Field::Key,
            "value" => Field::Value,
            "error" => Field::Error,
            "node" => Field::Node,
            _ => Field::Other(name),
        }
    }
}

impl<'de> Deserialize<'de> for Field<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = Field<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Field<'de>, E> {
                Ok(Field::of(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field<'de>, E> {
                Ok(Field::of(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Field<'de>, E> {
                Ok(Field::of(Cow::Owned(v)))
            }
        }
        d.deserialize_identifier(FieldVisitor)
    }
}

/// Sets a field once; a second occurrence is an error, as with derived impls.
fn once<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
    if slot.replace(value).is_some() {
        return Err(E::duplicate_field(name));
    }
    Ok(())
}

struct OpVisitor;

impl<'de> Visitor<'de> for OpVisitor {
    type Value = Op;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an op object with index, time, process, type and f")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Op, A::Error> {
        let mut index: Option<u64> = None;
        let mut time: Option<u64> = None;
        let mut process: Option<Process> = None;
        let mut kind: Option<OpType> = None;
        let mut f: Option<String> = None;
        let mut key: Option<Option<Value>> = None;
        let mut value: Option<Value> = None;
        let mut error: Option<Option<Value>> = None;
        let mut node: Option<Option<String>> = None;
        let mut extra = Map::new();
        while let Some(field) = map.next_key::<Field<'de>>()? {
            match field {
                Field::Index => once(&mut index, map.next_value()?, "index")?,
                Field::Time => once(&mut time, map.next_value()?, "time")?,
                Field::Process => once(&mut process, map.next_value()?, "process")?,
                Field::Type => once(&mut kind, map.next_value()?, "type")?,
                Field::F => once(&mut f, map.next_value()?, "f")?,
                Field::Key => once(&mut key, map.next_value()?, "key")?,
                Field::Value => once(&mut value, map.next_value()?, "value")?,
                Field::Error => once(&mut error, map.next_value()?, "error")?,
                Field::Node => once(&mut node, map.next_value()?, "node")?,
                Field::Other(name) => {
                    let v: Value = map.next_value()?;
                    if extra.insert(name.to_string(), v).is_some() {
                        return Err(de::Error::custom(format!("duplicate field `{name}`")));
                    }
                }
            }
        }
        Ok(Op {
            index: index.ok_or_else(|| de::Error::missing_field("index"))?,
            time: time.ok_or_else(|| de::Error::missing_field("time"))?,
            process: process.ok_or_else(|| de::Error::missing_field("process"))?,
            kind: kind.ok_or_else(|| de::Error::missing_field("type"))?,
            f: f.ok_or_else(|| de::Error::missing_field("f"))?,
            key: key.flatten(),
            value: value.unwrap_or(Value::Null),
            error: error.flatten(),
            node: node.flatten(),
            extra,
        })
    }
}

impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Op, D::Error> {
        d.deserialize_map(OpVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_fields_fill_the_op_and_other_keys_go_to_extra() {
        let op: Op = serde_json::from_str(
            r#"{"index":3,"time":9,"process":"nemesis","type":"info","f":"kill","value":[1],"rev":7,"node":"n2","error":"x"}"#,
        )
        .unwrap();
        assert_eq!(op.process, Process::Nemesis);
        assert_eq!(op.kind, OpType::Info);
        assert_eq!(op.value, json!([1]));
        assert_eq!(op.node.as_deref(), Some("n2"));
        assert_eq!(op.error, Some(json!("x")));
        assert_eq!(op.extra, json!({"rev": 7}).as_object().unwrap().clone());
    }

    #[test]
    fn a_missing_value_is_null_and_null_key_and_error_are_absent() {
        let op: Op = serde_json::from_str(
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"read","key":null,"error":null}"#,
        )
        .unwrap();
        assert_eq!(op.value, Value::Null);
        assert_eq!(op.key, None);
        assert_eq!(op.error, None);
    }

    #[test]
    fn missing_and_duplicate_fields_are_refused() {
        let e = serde_json::from_str::<Op>(r#"{"index":0,"time":0,"process":1,"type":"invoke"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("missing field `f`"), "{e}");
        let e = serde_json::from_str::<Op>(
            r#"{"index":0,"index":1,"time":0,"process":1,"type":"invoke","f":"r"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("duplicate field `index`"), "{e}");
        let e = serde_json::from_str::<Op>(
            r#"{"index":0,"time":0,"process":1,"type":"invoke","f":"r","x":1,"x":2}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("duplicate field `x`"), "{e}");
    }

    #[test]
    fn escaped_field_names_are_recognised() {
        let op: Op = serde_json::from_str(
            r#"{"ind\u0065x":0,"time":0,"process":1,"type":"invoke","f":"read"}"#,
        )
        .unwrap();
        assert_eq!(op.index, 0);
    }
}
