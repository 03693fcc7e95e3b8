//! Porcupine's key-value store of strings: `get` returns the whole string, `put` replaces it,
//! `append` concatenates to it. Every key starts as the empty string; calls are partitioned by key.

use super::text::{Expected, Piece, Text};
use super::{observed, FailSemantics, Inconsistent, Model};
use crate::CheckError;
use histories::{Call, Outcome};
use serde_json::Value;

/// Per-key strings with get, put and append.
#[derive(Debug, Clone, Default)]
pub struct AppendKv;

/// What a call did to its key's string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AppendKvAction {
    /// Read this whole string.
    Get(Expected),
    /// Replaced the string.
    Put(Text),
    /// Appended to the string.
    Append(Piece),
}

fn text<'a>(call: &Call, v: &'a Value) -> Result<&'a str, CheckError> {
    match v {
        Value::String(s) => Ok(s),
        Value::Null => Ok(""),
        other => Err(CheckError::bad_call(
            call,
            format!("append-kv values are strings; found {other}"),
        )),
    }
}

impl Model for AppendKv {
    type State = Text;
    type Action = AppendKvAction;

    fn name(&self) -> &'static str {
        "append-kv"
    }

    fn object(&self) -> &'static str {
        "the key"
    }

    fn init(&self) -> Text {
        Text::new("")
    }

    fn action(
        &self,
        call: &Call,
        _sem: FailSemantics,
    ) -> Result<Option<AppendKvAction>, CheckError> {
        if call.outcome == Outcome::Fail {
            return Ok(None);
        }
        match call.f.as_str() {
            "get" => match observed(call) {
                Some(v) => Ok(Some(AppendKvAction::Get(Expected::new(text(call, v)?)))),
                None => Ok(None),
            },
            "put" => Ok(Some(AppendKvAction::Put(Text::new(text(
                call,
                &call.argument,
            )?)))),
            "append" => Ok(Some(AppendKvAction::Append(Piece::new(text(
                call,
                &call.argument,
            )?)))),
            f => Err(CheckError::bad_call(
                call,
                format!("the append-kv model knows get, put and append; found {f:?}"),
            )),
        }
    }

    fn step(&self, state: &Text, action: &AppendKvAction) -> Result<Text, Inconsistent> {
        match action {
            AppendKvAction::Get(s) if state.is(s) => Ok(state.clone()),
            AppendKvAction::Get(_) => Err(Inconsistent),
            AppendKvAction::Put(s) => Ok(s.clone()),
            AppendKvAction::Append(s) => Ok(state.append(s)),
        }
    }

    fn is_read_only(&self, action: &AppendKvAction) -> bool {
        matches!(action, AppendKvAction::Get(_))
    }

    fn can_reach(
        &self,
        state: &Text,
        target: &AppendKvAction,
        pending: &mut dyn Iterator<Item = &AppendKvAction>,
    ) -> bool {
        // Appends only extend the string, so the string a get returns starts with the current
        // one, or with the value of a put still to come.
        match target {
            AppendKvAction::Get(want) => {
                if state.may_prefix(want) {
                    return true;
                }
                for a in pending {
                    if matches!(a, AppendKvAction::Put(p) if p.may_prefix(want)) {
                        return true;
                    }
                }
                false
            }
            _ => true,
        }
    }

    fn describe_state(&self, state: &Text) -> String {
        format!("{state:?}")
    }

    fn is_read(&self, action: &AppendKvAction) -> bool {
        matches!(action, AppendKvAction::Get(_))
    }

    fn describe_action(&self, action: &AppendKvAction) -> String {
        match action {
            AppendKvAction::Get(s) => format!("get of {:?}", s.as_str()),
            AppendKvAction::Put(s) => format!("put of {s:?}"),
            AppendKvAction::Append(s) => format!("append of {:?}", s.as_str()),
        }
    }
}
