//! Registers: `read`, `write` and (for the cas-register) `cas [old new]`.
//!
//! Calls are partitioned by key when they carry one, so a history of keyed reads, writes and cas
//! is checked as independent registers (the `kv` model).
//!
//! Semantics of values: a read observes the completion's value. Under Knossos semantics a read of
//! `null` observed nothing and constrains nothing; under etcd semantics it observed "no value"
//! (the register holds `null`). Under etcd semantics a failed cas is a completed cas whose
//! comparison failed (the register held something other than `old`), unless it timed out.

use super::{observed, timed_out, Datum, FailSemantics, Inconsistent, Model, Traces};
use crate::CheckError;
use histories::{Call, Outcome};

/// A register, with or without compare-and-set.
#[derive(Debug, Clone)]
pub struct Register {
    /// The value every partition starts with.
    pub init: Datum,
    /// True for the cas-register (accepts `cas`).
    pub cas: bool,
}

/// What a register call did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RegisterAction {
    /// Read this value.
    Read(Datum),
    /// Wrote this value.
    Write(Datum),
    /// Compared with the first value and, being equal, set the second.
    Cas(Datum, Datum),
    /// Compared with this value and found the register different (etcd semantics).
    CasFailed(Datum),
}

impl Register {
    /// A plain read/write register starting at `init`.
    pub fn plain(init: Datum) -> Register {
        Register { init, cas: false }
    }

    /// A cas-register starting at `init`.
    pub fn with_cas(init: Datum) -> Register {
        Register { init, cas: true }
    }
}

impl Model for Register {
    type State = Datum;
    type Action = RegisterAction;

    fn name(&self) -> &'static str {
        if self.cas {
            "cas-register"
        } else {
            "register"
        }
    }

    fn object(&self) -> &'static str {
        "the register"
    }

    fn init(&self) -> Datum {
        self.init.clone()
    }

    fn action(
        &self,
        call: &Call,
        sem: FailSemantics,
    ) -> Result<Option<RegisterAction>, CheckError> {
        let failed = call.outcome == Outcome::Fail;
        match call.f.as_str() {
            "read" => Ok(match observed(call) {
                Some(v) if !v.is_null() => Some(RegisterAction::Read(Datum::from(v))),
                Some(_) if sem == FailSemantics::Etcd => Some(RegisterAction::Read(Datum::Null)),
                _ => None,
            }),
            "write" if failed => Ok(None),
            "write" => Ok(Some(RegisterAction::Write(Datum::from(&call.argument)))),
            "cas" if self.cas => {
                let (old, new) = match call.argument.as_array().map(Vec::as_slice) {
                    Some([old, new]) => (Datum::from(old), Datum::from(new)),
                    _ => {
                        return Err(CheckError::bad_call(
                            call,
                            format!("cas expects [old new], found {}", call.argument),
                        ))
                    }
                };
                Ok(if !failed {
                    Some(RegisterAction::Cas(old, new))
                } else if sem == FailSemantics::Etcd && !timed_out(call) {
                    Some(RegisterAction::CasFailed(old))
                } else {
                    None
                })
            }
            f => Err(CheckError::bad_call(
                call,
                format!(
                    "the {} model knows read, write{}; found {f:?}",
                    self.name(),
                    if self.cas { " and cas" } else { "" }
                ),
            )),
        }
    }

    fn step(&self, state: &Datum, action: &RegisterAction) -> Result<Datum, Inconsistent> {
        match action {
            RegisterAction::Read(v) if v == state => Ok(state.clone()),
            RegisterAction::Write(v) => Ok(v.clone()),
            RegisterAction::Cas(old, new) if old == state => Ok(new.clone()),
            RegisterAction::CasFailed(old) if old != state => Ok(state.clone()),
            _ => Err(Inconsistent),
        }
    }

    fn is_read_only(&self, action: &RegisterAction) -> bool {
        match action {
            RegisterAction::Read(_) | RegisterAction::CasFailed(_) => true,
            RegisterAction::Cas(old, new) => old == new,
            RegisterAction::Write(_) => false,
        }
    }

    fn can_reach(
        &self,
        state: &Datum,
        target: &RegisterAction,
        pending: &mut dyn Iterator<Item = &RegisterAction>,
    ) -> bool {
        let needed = match target {
            RegisterAction::Read(v) | RegisterAction::Cas(v, _) => v,
            _ => return true,
        };
        if needed == state {
            return true;
        }
        for a in pending {
            if let RegisterAction::Write(w) | RegisterAction::Cas(_, w) = a {
                if w == needed {
                    return true;
                }
            }
        }
        false
    }

    fn describe_state(&self, state: &Datum) -> String {
        state.to_string()
    }

    fn traces(&self, action: &RegisterAction) -> Traces {
        let saw = |v: &Datum| (v != &self.init).then(|| Some(v.clone()));
        match action {
            RegisterAction::Read(v) => Traces {
                saw: saw(v).into_iter().collect(),
                put: Vec::new(),
            },
            RegisterAction::Write(v) => Traces {
                saw: Vec::new(),
                put: vec![v.clone()],
            },
            RegisterAction::Cas(old, new) => Traces {
                saw: saw(old).into_iter().collect(),
                put: vec![new.clone()],
            },
            RegisterAction::CasFailed(_) => Traces::default(),
        }
    }

    fn is_read(&self, action: &RegisterAction) -> bool {
        matches!(action, RegisterAction::Read(_))
    }

    fn describe_action(&self, action: &RegisterAction) -> String {
        match action {
            RegisterAction::Read(v) => format!("read of {v}"),
            RegisterAction::Write(v) => format!("write of {v}"),
            RegisterAction::Cas(o, n) => format!("cas from {o} to {n}"),
            RegisterAction::CasFailed(o) => format!("failed cas from {o}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegisterAction::*;

    #[test]
    fn a_cas_succeeds_only_from_its_old_value() {
        let m = Register::with_cas(Datum::Int(0));
        assert_eq!(
            m.step(&Datum::Int(0), &Cas(0.into(), 1.into())),
            Ok(Datum::Int(1))
        );
        assert_eq!(
            m.step(&Datum::Int(2), &Cas(0.into(), 1.into())),
            Err(Inconsistent)
        );
        assert_eq!(
            m.step(&Datum::Int(2), &CasFailed(0.into())),
            Ok(Datum::Int(2))
        );
        assert_eq!(
            m.step(&Datum::Int(0), &CasFailed(0.into())),
            Err(Inconsistent)
        );
    }

    #[test]
    fn a_read_must_see_the_current_value() {
        let m = Register::plain(Datum::Null);
        assert!(m.step(&Datum::Int(1), &Read(1.into())).is_ok());
        assert!(m.step(&Datum::Int(1), &Read(2.into())).is_err());
    }
}
