//! A bank's invariants, as Jepsen's bank workload checks them: clients move amounts between
//! accounts in transactions and read every balance at once; money is neither made nor lost.
//!
//! Every ok read is checked for:
//! - **unexpected account**: an account the test did not create;
//! - **missing account** and **nil balance**: an account of the test absent from the read, or
//!   with `null` for its balance;
//! - **wrong total**: the balances of the test's accounts do not add up to the total they
//!   started with (checked when every account is present with a balance);
//! - **negative balance**: a balance below zero, unless [`BankOptions::negative_allowed`];
//! - **impossible balance**: a balance that no set of transfers the read could have seen
//!   explains. Account `x`'s balance in a state reached by applying a set `S` of transfers to
//!   the initial state is `initial(x) + in(S, x) − out(S, x)`, the amounts moved into and out of
//!   `x`. The transfers a read can have seen are those not failed and invoked before the read
//!   completed (a read cannot see a transaction not yet begun; a failed transfer took no
//!   effect), so the balance must lie in `[initial − out(possible), initial + in(possible)]`.
//!   With [`BankOptions::real_time`] (strict serializability) the read must also have seen
//!   every transfer that completed ok before it was invoked (*certain*), which narrows the
//!   bounds to `[initial + in(certain) − out(possible), initial + in(possible) − out(certain)]`:
//!   a read missing an acknowledged transfer is a stale read.
//!
//! The bounds are checked account by account; a read within every bound may still be no state
//! of any one set of transfers (deciding that exactly is a subset-sum problem), so this is a
//! sound relaxation of "every read is a possible state": what it flags is impossible, what it
//! passes is not proven possible. It runs in O((transfers + reads × accounts) log transfers).
//!
//! The verdict is Invalid when any read breaks an invariant; Unknown when there is no ok read.
//! Encoding: see the [module doc](super).

use super::{CallRef, Prefix};
use crate::{CheckError, Verdict};
use histories::{Call, History, Outcome};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The model a bank history's header names.
pub const MODEL: &str = "bank";

/// How many violations of one kind the explanation lists in words (the report keeps all).
const LISTED_PER_KIND: usize = 5;

/// What the test set up, and how strict to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankOptions {
    /// Every account of the test, with its balance before the first transfer.
    pub initial: BTreeMap<String, i64>,
    /// Whether a balance may fall below zero (the workload's transfers may overdraw).
    pub negative_allowed: bool,
    /// Whether a read must see every transfer acknowledged before it began (strict
    /// serializability); without it, only the transfers it could have seen bound it.
    pub real_time: bool,
}

impl BankOptions {
    /// `accounts` accounts named `0`, `1`, ..., each starting with `balance`; negative balances
    /// forbidden, no real-time bound.
    pub fn uniform(accounts: usize, balance: i64) -> BankOptions {
        BankOptions {
            initial: (0..accounts).map(|a| (a.to_string(), balance)).collect(),
            negative_allowed: false,
            real_time: false,
        }
    }

    /// The options of a history whose accounts start as `init` says: an object of each
    /// account's opening balance, `{"0": 10, "1": 10}`, as a bank history's header carries it;
    /// negative balances forbidden, no real-time bound.
    pub fn from_init(init: &Value) -> Result<BankOptions, CheckError> {
        let expected = || {
            CheckError::Model(format!(
                "a bank history's initial balances are an object of accounts to integers, such \
                 as {{\"0\": 10, \"1\": 10}}; found {init}"
            ))
        };
        let accounts = init
            .as_object()
            .filter(|a| !a.is_empty())
            .ok_or_else(expected)?;
        let initial = accounts
            .iter()
            .map(|(a, b)| Ok((a.clone(), b.as_i64().ok_or_else(expected)?)))
            .collect::<Result<_, CheckError>>()?;
        Ok(BankOptions {
            initial,
            negative_allowed: false,
            real_time: false,
        })
    }

    /// The opening balances as [`BankOptions::from_init`] reads them.
    pub fn init(&self) -> Value {
        Value::Object(
            self.initial
                .iter()
                .map(|(a, b)| (a.clone(), Value::from(*b)))
                .collect(),
        )
    }

    /// The total all balances must add up to.
    pub fn total(&self) -> i64 {
        self.initial.values().sum()
    }
}

/// The kinds of violation, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BankViolationKind {
    /// The balances do not add up to the initial total.
    WrongTotal,
    /// A balance below zero.
    NegativeBalance,
    /// An account the test did not create.
    UnexpectedAccount,
    /// An account of the test absent from the read.
    MissingAccount,
    /// An account read with no balance.
    NilBalance,
    /// A balance no set of the transfers the read could have seen explains.
    ImpossibleBalance,
}

/// What one read got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BankAnomaly {
    /// The balances add up to `total`, not `expected`.
    WrongTotal {
        /// The sum of the balances read.
        total: i64,
        /// The initial total.
        expected: i64,
    },
    /// `account` read as `balance` < 0.
    NegativeBalance {
        /// The account.
        account: String,
        /// Its balance.
        balance: i64,
    },
    /// `account` is not one of the test's.
    UnexpectedAccount {
        /// The account.
        account: String,
        /// What the read gave for it.
        balance: Value,
    },
    /// `account` is absent from the read.
    MissingAccount {
        /// The account.
        account: String,
    },
    /// `account` read as `null`.
    NilBalance {
        /// The account.
        account: String,
    },
    /// `account` read as `balance`, outside `[lower, upper]`.
    ImpossibleBalance {
        /// The account.
        account: String,
        /// Its balance.
        balance: i64,
        /// The least balance the transfers allow.
        lower: i64,
        /// The greatest balance the transfers allow.
        upper: i64,
        /// Whether the bounds count the transfers acknowledged before the read began.
        real_time: bool,
    },
}

impl BankAnomaly {
    /// Its kind.
    pub fn kind(&self) -> BankViolationKind {
        match self {
            BankAnomaly::WrongTotal { .. } => BankViolationKind::WrongTotal,
            BankAnomaly::NegativeBalance { .. } => BankViolationKind::NegativeBalance,
            BankAnomaly::UnexpectedAccount { .. } => BankViolationKind::UnexpectedAccount,
            BankAnomaly::MissingAccount { .. } => BankViolationKind::MissingAccount,
            BankAnomaly::NilBalance { .. } => BankViolationKind::NilBalance,
            BankAnomaly::ImpossibleBalance { .. } => BankViolationKind::ImpossibleBalance,
        }
    }
}

impl fmt::Display for BankAnomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BankAnomaly::WrongTotal { total, expected } => write!(
                f,
                "the balances add up to {total}, not {expected}: money was {} {}",
                if total > expected { "made" } else { "lost" },
                (total - expected).abs()
            ),
            BankAnomaly::NegativeBalance { account, balance } => {
                write!(f, "account {account} has a negative balance, {balance}")
            }
            BankAnomaly::UnexpectedAccount { account, balance } => write!(
                f,
                "account {account} (balance {balance}) is not one of the test's accounts"
            ),
            BankAnomaly::MissingAccount { account } => {
                write!(f, "account {account} is missing from the read")
            }
            BankAnomaly::NilBalance { account } => {
                write!(f, "account {account} has no balance (null)")
            }
            BankAnomaly::ImpossibleBalance {
                account,
                balance,
                lower,
                upper,
                real_time,
            } => {
                write!(
                    f,
                    "account {account} has balance {balance}, outside [{lower}, {upper}]: "
                )?;
                if *real_time {
                    write!(
                        f,
                        "the transfers acknowledged before the read began and those begun \
                         before it ended allow no other"
                    )
                } else {
                    write!(
                        f,
                        "the transfers begun before the read ended, applied or not, allow no other"
                    )
                }
            }
        }
    }
}

/// One violation: the read, and what it got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankViolation {
    /// The read.
    pub read: CallRef,
    /// What is wrong with it.
    #[serde(flatten)]
    pub anomaly: BankAnomaly,
}

impl fmt::Display for BankViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; see {}", self.anomaly, self.read)
    }
}

/// How the transfers ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TransferCounts {
    /// Acknowledged.
    pub ok: usize,
    /// Refused: took no effect.
    pub failed: usize,
    /// Indeterminate: may or may not have taken effect.
    pub indeterminate: usize,
}

/// The bank's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankReport {
    /// Invalid when any read breaks an invariant; Unknown when there was no ok read.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The test's accounts.
    pub accounts: usize,
    /// Their initial total.
    pub total: i64,
    /// Whether impossible balances were bounded by real time too.
    pub real_time: bool,
    /// Ok reads checked.
    pub reads: usize,
    /// How the transfers ended.
    pub transfers: TransferCounts,
    /// Violations of each kind.
    pub counts: BTreeMap<BankViolationKind, usize>,
    /// Every violation, in history order.
    pub violations: Vec<BankViolation>,
}

impl BankReport {
    /// The violations of this kind.
    pub fn of(&self, kind: BankViolationKind) -> impl Iterator<Item = &BankViolation> {
        self.violations
            .iter()
            .filter(move |v| v.anomaly.kind() == kind)
    }
}

impl fmt::Display for BankReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} reads of {} accounts (total {}); transfers {} ok, {} failed, {} indeterminate",
            self.verdict,
            self.reads,
            self.accounts,
            self.total,
            self.transfers.ok,
            self.transfers.failed,
            self.transfers.indeterminate
        )?;
        for (kind, n) in &self.counts {
            writeln!(f, "  {kind:?}: {n} violations")?;
            for v in self.of(*kind).take(LISTED_PER_KIND) {
                writeln!(f, "    {v}")?;
            }
            if *n > LISTED_PER_KIND {
                writeln!(f, "    ... and {} more", n - LISTED_PER_KIND)?;
            }
        }
        Ok(())
    }
}

/// A transfer's arguments.
struct Transfer {
    from: String,
    to: String,
    amount: i64,
}

/// An account named by a string or an integer, as its text.
fn account(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

fn transfer(c: &Call, opts: &BankOptions) -> Result<Transfer, CheckError> {
    let bad = |what: String| CheckError::bad_call(c, what);
    let field = |name: &str| {
        c.argument.get(name).ok_or_else(|| {
            bad(format!(
                "a transfer's value is {{\"from\", \"to\", \"amount\"}}, found {}",
                c.argument
            ))
        })
    };
    let named = |name: &str| -> Result<String, CheckError> {
        let v = field(name)?;
        let a = account(v).ok_or_else(|| {
            bad(format!(
                "a transfer's {name} is an account (a string or an integer), found {v}"
            ))
        })?;
        if !opts.initial.contains_key(&a) {
            return Err(bad(format!(
                "the transfer's {name} names account {a}, not one of the test's accounts"
            )));
        }
        Ok(a)
    };
    let amount = field("amount")?;
    let amount = amount.as_i64().filter(|a| *a > 0).ok_or_else(|| {
        bad(format!(
            "a transfer's amount is a positive integer, found {amount}"
        ))
    })?;
    Ok(Transfer {
        from: named("from")?,
        to: named("to")?,
        amount,
    })
}

/// The amounts that may have, and certainly have, moved into and out of one account by a time.
#[derive(Default)]
struct Flows {
    in_possible: Vec<(u64, i64)>,
    out_possible: Vec<(u64, i64)>,
    in_certain: Vec<(u64, i64)>,
    out_certain: Vec<(u64, i64)>,
}

/// [`Flows`] as prefix sums.
struct Bounds {
    in_possible: Prefix,
    out_possible: Prefix,
    in_certain: Prefix,
    out_certain: Prefix,
}

impl Bounds {
    /// The least and greatest balance a read invoked at `invoked` and completed at `done` may
    /// show, starting from `initial`.
    fn of(&self, initial: i64, invoked: u64, done: u64, real_time: bool) -> (i64, i64) {
        let (in_p, out_p) = (
            self.in_possible.before(done),
            self.out_possible.before(done),
        );
        if real_time {
            (
                initial + self.in_certain.before(invoked) - out_p,
                initial + in_p - self.out_certain.before(invoked),
            )
        } else {
            (initial - out_p, initial + in_p)
        }
    }
}

/// Checks every ok read of the bank.
pub fn check(history: &History, opts: &BankOptions) -> Result<BankReport, CheckError> {
    let calls = history.calls()?;
    let mut flows: HashMap<&str, Flows> = opts
        .initial
        .keys()
        .map(|a| (a.as_str(), Flows::default()))
        .collect();
    let mut transfers = TransferCounts::default();
    let mut reads = Vec::new();
    for c in &calls {
        match c.f.as_str() {
            "transfer" => {
                let t = transfer(c, opts)?;
                match c.outcome {
                    Outcome::Fail => {
                        transfers.failed += 1;
                        continue;
                    }
                    Outcome::Info => transfers.indeterminate += 1,
                    Outcome::Ok => transfers.ok += 1,
                }
                let (inv, done) = (c.invoke_time, c.complete_time.unwrap_or(u64::MAX));
                if let Some(fl) = flows.get_mut(t.from.as_str()) {
                    fl.out_possible.push((inv, t.amount));
                    if c.outcome == Outcome::Ok {
                        fl.out_certain.push((done, t.amount));
                    }
                }
                if let Some(fl) = flows.get_mut(t.to.as_str()) {
                    fl.in_possible.push((inv, t.amount));
                    if c.outcome == Outcome::Ok {
                        fl.in_certain.push((done, t.amount));
                    }
                }
            }
            "read" if c.outcome == Outcome::Ok => {
                let balances = c.result.as_object().ok_or_else(|| {
                    CheckError::bad_call(
                        c,
                        format!(
                            "a bank read returns an object of account -> balance, found {}",
                            c.result
                        ),
                    )
                })?;
                reads.push((c, balances));
            }
            "read" => {}
            other => {
                return Err(CheckError::bad_call(
                    c,
                    format!("a bank history has transfer and read ops, found {other:?}"),
                ))
            }
        }
    }
    let bounds: HashMap<&str, Bounds> = flows
        .into_iter()
        .map(|(a, fl)| {
            (
                a,
                Bounds {
                    in_possible: Prefix::new(fl.in_possible),
                    out_possible: Prefix::new(fl.out_possible),
                    in_certain: Prefix::new(fl.in_certain),
                    out_certain: Prefix::new(fl.out_certain),
                },
            )
        })
        .collect();
    let mut report = BankReport {
        verdict: Verdict::Valid,
        accounts: opts.initial.len(),
        total: opts.total(),
        real_time: opts.real_time,
        reads: reads.len(),
        transfers,
        counts: BTreeMap::new(),
        violations: Vec::new(),
    };
    for (c, balances) in reads {
        for anomaly in read_anomalies(c, balances, opts, &bounds)? {
            *report.counts.entry(anomaly.kind()).or_insert(0) += 1;
            report.violations.push(BankViolation {
                read: c.into(),
                anomaly,
            });
        }
    }
    report.verdict = if !report.violations.is_empty() {
        Verdict::Invalid
    } else if report.reads == 0 {
        Verdict::unknown("the balances were never read")
    } else {
        Verdict::Valid
    };
    Ok(report)
}

/// Everything wrong with one read.
fn read_anomalies(
    c: &Call,
    balances: &serde_json::Map<String, Value>,
    opts: &BankOptions,
    bounds: &HashMap<&str, Bounds>,
) -> Result<Vec<BankAnomaly>, CheckError> {
    let mut found = Vec::new();
    for (a, v) in balances {
        if !opts.initial.contains_key(a) {
            found.push(BankAnomaly::UnexpectedAccount {
                account: a.clone(),
                balance: v.clone(),
            });
        }
    }
    let (invoked, done) = (c.invoke_time, c.complete_time.unwrap_or(u64::MAX));
    let mut total = Some(0i64);
    for (a, initial) in &opts.initial {
        let balance = match balances.get(a) {
            None => {
                found.push(BankAnomaly::MissingAccount { account: a.clone() });
                total = None;
                continue;
            }
            Some(Value::Null) => {
                found.push(BankAnomaly::NilBalance { account: a.clone() });
                total = None;
                continue;
            }
            Some(v) => v.as_i64().ok_or_else(|| {
                CheckError::bad_call(
                    c,
                    format!("a balance is an integer or null, found {v} for account {a}"),
                )
            })?,
        };
        total = total.map(|t| t.saturating_add(balance));
        if balance < 0 && !opts.negative_allowed {
            found.push(BankAnomaly::NegativeBalance {
                account: a.clone(),
                balance,
            });
        }
        if let Some(b) = bounds.get(a.as_str()) {
            let (lower, upper) = b.of(*initial, invoked, done, opts.real_time);
            if balance < lower || balance > upper {
                found.push(BankAnomaly::ImpossibleBalance {
                    account: a.clone(),
                    balance,
                    lower,
                    upper,
                    real_time: opts.real_time,
                });
            }
        }
    }
    if let Some(t) = total.filter(|t| *t != opts.total()) {
        found.push(BankAnomaly::WrongTotal {
            total: t,
            expected: opts.total(),
        });
    }
    Ok(found)
}
