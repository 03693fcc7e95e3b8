//! Porcupine's key-value store of strings: `get` returns the whole string, `put` replaces it,
//! `append` concatenates to it. Every key starts as the empty string; calls are partitioned by key.

use super::{observed, FailSemantics, Inconsistent, Model};
use crate::CheckError;
use histories::{Call, Outcome};
use serde_json::Value;
use std::sync::Arc;

/// Per-key strings with get, put and append.
#[derive(Debug, Clone, Default)]
pub struct AppendKv;

/// What a call did to its key's string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AppendKvAction {
    /// Read this whole string.
    Get(Arc<str>),
    /// Replaced the string.
    Put(Arc<str>),
    /// Appended to the string.
    Append(Arc<str>),
}

fn text(call: &Call, v: &Value) -> Result<Arc<str>, CheckError> {
    match v {
        Value::String(s) => Ok(s.as_str().into()),
        Value::Null => Ok("".into()),
        other => Err(CheckError::bad_call(
            call,
            format!("append-kv values are strings; found {other}"),
        )),
    }
}

impl Model for AppendKv {
    type State = Arc<str>;
    type Action = AppendKvAction;

    fn name(&self) -> &'static str {
        "append-kv"
    }

    fn object(&self) -> &'static str {
        "the key"
    }

    fn init(&self) -> Arc<str> {
        "".into()
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
                Some(v) => Ok(Some(AppendKvAction::Get(text(call, v)?))),
                None => Ok(None),
            },
            "put" => Ok(Some(AppendKvAction::Put(text(call, &call.argument)?))),
            "append" => Ok(Some(AppendKvAction::Append(text(call, &call.argument)?))),
            f => Err(CheckError::bad_call(
                call,
                format!("the append-kv model knows get, put and append; found {f:?}"),
            )),
        }
    }

    fn step(&self, state: &Arc<str>, action: &AppendKvAction) -> Result<Arc<str>, Inconsistent> {
        match action {
            AppendKvAction::Get(s) if s == state => Ok(state.clone()),
            AppendKvAction::Get(_) => Err(Inconsistent),
            AppendKvAction::Put(s) => Ok(s.clone()),
            AppendKvAction::Append(s) => Ok(format!("{state}{s}").into()),
        }
    }

    fn is_read_only(&self, action: &AppendKvAction) -> bool {
        matches!(action, AppendKvAction::Get(_))
    }

    fn can_reach(
        &self,
        state: &Arc<str>,
        target: &AppendKvAction,
        pending: &mut dyn Iterator<Item = &AppendKvAction>,
    ) -> bool {
        // Appends only extend the string, so the string a get returns starts with the current
        // one, or with the value of a pending put.
        match target {
            AppendKvAction::Get(want) => {
                if want.starts_with(&**state) {
                    return true;
                }
                for a in pending {
                    if let AppendKvAction::Put(p) = a {
                        if want.starts_with(&**p) {
                            return true;
                        }
                    }
                }
                false
            }
            _ => true,
        }
    }

    fn describe_state(&self, state: &Arc<str>) -> String {
        format!("{state:?}")
    }

    fn describe_action(&self, action: &AppendKvAction) -> String {
        match action {
            AppendKvAction::Get(s) => format!("get of {s:?}"),
            AppendKvAction::Put(s) => format!("put of {s:?}"),
            AppendKvAction::Append(s) => format!("append of {s:?}"),
        }
    }
}
