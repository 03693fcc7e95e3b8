//! Typed operations: what a client is asked to do, one enum per workload, and how each is
//! written in a history (`f`, `key`, `value`: the JSON every reader and checker of rift knows).
//!
//! | workload | operation | f | key | value |
//! |---|---|---|---|---|
//! | register | [`RegisterOp::Read`] | read | register | null; ok: the value or null |
//! | register | [`RegisterOp::Write`] | write | register | the value (unique in the run) |
//! | register | [`RegisterOp::Cas`] | cas | register | `[from, to]` (`from` null: expects no value) |
//! | booking | [`BookingOp::Book`] | book | room | guest; ok: true (booked) or false (held) |
//! | booking | [`BookingOp::Cancel`] | cancel | room | guest; ok: true (cancelled) or false |
//! | booking | [`BookingOp::Available`] | available | room | null; ok: null (free), the holder, or every holder |
//! | set | [`SetOp::Add`] | add | — | the element (unique) |
//! | set | [`SetOp::Read`] | read | — | null; ok: the elements |
//! | append, rw-register | [`Operation::Txn`] | txn | — | micro-ops `[["append", k, v], ["r", k, null], ["w", k, v]]`; ok: reads filled in |
//! | counter | [`CounterOp::Add`] | add | — | the increment |
//! | counter | [`CounterOp::Read`] | read | — | null; ok: the total |
//! | bank | [`BankOp::Transfer`] | transfer | — | `{"from": a, "to": b, "amount": n}`; fail: refused (e.g. for want of funds) |
//! | bank | [`BankOp::Read`] | read | — | null; ok: every account's balance, `{"0": 10, "1": 7, ...}` |

use serde_json::{json, Value};

/// One operation of a workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// A register's read, write or compare-and-set.
    Register(RegisterOp),
    /// A room's booking, cancellation, or availability.
    Booking(BookingOp),
    /// An add to the set, or a read of it.
    Set(SetOp),
    /// A transaction of micro-ops, executed atomically (or not at all).
    Txn(Vec<MicroOp>),
    /// An increment of the counter, or a read of it.
    Counter(CounterOp),
    /// A transfer between two bank accounts, or a read of every balance.
    Bank(BankOp),
}

/// The register workload's operations, on integer-keyed registers of integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterOp {
    /// Read the register.
    Read {
        /// The register.
        key: u64,
    },
    /// Write a value to it.
    Write {
        /// The register.
        key: u64,
        /// The value, unique in the run.
        value: u64,
    },
    /// Set it to `to` if it holds `from` (`None`: if it holds no value yet).
    Cas {
        /// The register.
        key: u64,
        /// The value it must hold.
        from: Option<u64>,
        /// The value it is set to, unique in the run.
        to: u64,
    },
}

/// The booking workload's operations on rooms and guests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingOp {
    /// `guest` books `room`: ok true when booked, false when the room is held.
    Book {
        /// The room.
        room: u64,
        /// The guest's name.
        guest: String,
    },
    /// `guest` cancels their booking of `room`: ok true when it held the room.
    Cancel {
        /// The room.
        room: u64,
        /// The guest's name.
        guest: String,
    },
    /// Who holds `room`: ok null when free.
    Available {
        /// The room.
        room: u64,
    },
}

/// The set workload's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    /// Add a unique element.
    Add(u64),
    /// Read every element.
    Read,
}

/// The counter workload's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterOp {
    /// Add a positive increment.
    Add(u64),
    /// Read the total.
    Read,
}

/// The bank workload's operations over accounts `0..keys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankOp {
    /// Move `amount` from one account to another, in one transaction; refused (a definite
    /// failure) when it would overdraw `from` and the test forbids negative balances.
    Transfer {
        /// The account debited.
        from: u64,
        /// The account credited, never `from`.
        to: u64,
        /// How much, at least 1.
        amount: u64,
    },
    /// Read every account's balance in one transaction.
    Read,
}

/// One micro-op of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MicroOp {
    /// Read a key (a list for list-append, a value for rw-register).
    Read {
        /// The key.
        key: u64,
    },
    /// Append a unique value to a key's list.
    Append {
        /// The key.
        key: u64,
        /// The value, unique in the run.
        value: u64,
    },
    /// Write a unique value to a key.
    Write {
        /// The key.
        key: u64,
        /// The value, unique per key.
        value: u64,
    },
}

impl MicroOp {
    /// The key it touches.
    pub fn key(&self) -> u64 {
        match *self {
            MicroOp::Read { key } | MicroOp::Append { key, .. } | MicroOp::Write { key, .. } => key,
        }
    }

    /// The micro-op as a history writes it: `["r", k, read]`, `["append", k, v]`, `["w", k, v]`.
    /// `read` is what a read returned (null when asked, or when it found nothing).
    pub fn encode(&self, read: Value) -> Value {
        match *self {
            MicroOp::Read { key } => json!(["r", key, read]),
            MicroOp::Append { key, value } => json!(["append", key, value]),
            MicroOp::Write { key, value } => json!(["w", key, value]),
        }
    }
}

impl Operation {
    /// The operation's name in a history.
    pub fn f(&self) -> &'static str {
        match self {
            Operation::Register(RegisterOp::Read { .. }) => "read",
            Operation::Register(RegisterOp::Write { .. }) => "write",
            Operation::Register(RegisterOp::Cas { .. }) => "cas",
            Operation::Booking(BookingOp::Book { .. }) => "book",
            Operation::Booking(BookingOp::Cancel { .. }) => "cancel",
            Operation::Booking(BookingOp::Available { .. }) => "available",
            Operation::Set(SetOp::Add(_)) | Operation::Counter(CounterOp::Add(_)) => "add",
            Operation::Set(SetOp::Read)
            | Operation::Counter(CounterOp::Read)
            | Operation::Bank(BankOp::Read) => "read",
            Operation::Txn(_) => "txn",
            Operation::Bank(BankOp::Transfer { .. }) => "transfer",
        }
    }

    /// The key a history records, for workloads with keys (registers, rooms).
    pub fn key(&self) -> Option<Value> {
        match self {
            Operation::Register(
                RegisterOp::Read { key }
                | RegisterOp::Write { key, .. }
                | RegisterOp::Cas { key, .. },
            ) => Some(json!(key)),
            Operation::Booking(
                BookingOp::Book { room, .. }
                | BookingOp::Cancel { room, .. }
                | BookingOp::Available { room },
            ) => Some(json!(room)),
            Operation::Set(_) | Operation::Txn(_) | Operation::Counter(_) | Operation::Bank(_) => {
                None
            }
        }
    }

    /// The invocation's value in a history.
    pub fn value(&self) -> Value {
        match self {
            Operation::Register(RegisterOp::Write { value, .. }) => json!(value),
            Operation::Register(RegisterOp::Cas { from, to, .. }) => json!([from, to]),
            Operation::Booking(BookingOp::Book { guest, .. } | BookingOp::Cancel { guest, .. }) => {
                json!(guest)
            }
            Operation::Set(SetOp::Add(v)) | Operation::Counter(CounterOp::Add(v)) => json!(v),
            Operation::Txn(ops) => ops.iter().map(|m| m.encode(Value::Null)).collect(),
            Operation::Bank(BankOp::Transfer { from, to, amount }) => {
                json!({"from": from, "to": to, "amount": amount})
            }
            Operation::Register(RegisterOp::Read { .. })
            | Operation::Bank(BankOp::Read)
            | Operation::Booking(BookingOp::Available { .. })
            | Operation::Set(SetOp::Read)
            | Operation::Counter(CounterOp::Read) => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_written_as_rift_histories_have_always_written_them() {
        let cases = [
            (
                Operation::Register(RegisterOp::Read { key: 2 }),
                "read",
                Some(json!(2)),
                json!(null),
            ),
            (
                Operation::Register(RegisterOp::Cas {
                    key: 0,
                    from: None,
                    to: 7,
                }),
                "cas",
                Some(json!(0)),
                json!([null, 7]),
            ),
            (
                Operation::Booking(BookingOp::Book {
                    room: 1,
                    guest: "g3".into(),
                }),
                "book",
                Some(json!(1)),
                json!("g3"),
            ),
            (Operation::Set(SetOp::Read), "read", None, json!(null)),
            (Operation::Counter(CounterOp::Add(4)), "add", None, json!(4)),
            (
                Operation::Txn(vec![
                    MicroOp::Append { key: 1, value: 9 },
                    MicroOp::Read { key: 2 },
                    MicroOp::Write { key: 3, value: 5 },
                ]),
                "txn",
                None,
                json!([["append", 1, 9], ["r", 2, null], ["w", 3, 5]]),
            ),
            (
                Operation::Bank(BankOp::Transfer {
                    from: 0,
                    to: 2,
                    amount: 3,
                }),
                "transfer",
                None,
                json!({"from": 0, "to": 2, "amount": 3}),
            ),
            (Operation::Bank(BankOp::Read), "read", None, json!(null)),
        ];
        for (op, f, key, value) in cases {
            assert_eq!((op.f(), op.key(), op.value()), (f, key, value), "{op:?}");
        }
    }
}
