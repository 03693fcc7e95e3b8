//! The tables each workload uses, one row per key, made by the driver on the primary before its
//! first client runs (standbys get them by replication), and the statements over them.

use runner::workload::WorkloadKind;

/// list-append: each key's list as an array, appended to in SQL.
pub const APPEND_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS append (k bigint PRIMARY KEY, v bigint[] NOT NULL)";
/// Appends `$2` to key `$1`'s list, making the row if the key has none.
pub const APPEND: &str = "INSERT INTO append AS t (k, v) VALUES ($1, ARRAY[$2::bigint]) \
     ON CONFLICT (k) DO UPDATE SET v = t.v || EXCLUDED.v";
/// Key `$1`'s list (no row: the key was never appended to).
pub const READ_LIST: &str = "SELECT v FROM append WHERE k = $1";

/// rw-register: each key's value.
pub const REGISTER_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS register (k bigint PRIMARY KEY, v bigint NOT NULL)";
/// Writes `$2` to key `$1`.
pub const WRITE: &str = "INSERT INTO register AS t (k, v) VALUES ($1, $2) \
     ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v";
/// Key `$1`'s value (no row: never written).
pub const READ_REGISTER: &str = "SELECT v FROM register WHERE k = $1";

/// bank: each account's balance.
pub const BANK_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS bank (id bigint PRIMARY KEY, balance bigint NOT NULL)";
/// Opens accounts `0..$1` with `$2` each, leaving accounts that exist as they are.
pub const OPEN_ACCOUNTS: &str = "INSERT INTO bank (id, balance) \
     SELECT g, $2::bigint FROM generate_series(0, $1::bigint - 1) AS g ON CONFLICT (id) DO NOTHING";
/// Account `$1`'s balance.
pub const BALANCE: &str = "SELECT balance FROM bank WHERE id = $1";
/// Adds `$2` (negative: takes) to account `$1`'s balance.
pub const CREDIT: &str = "UPDATE bank SET balance = balance + $2 WHERE id = $1";
/// Every account's balance.
pub const BALANCES: &str = "SELECT id, balance FROM bank ORDER BY id";

/// The statement that makes `workload`'s table, if the system runs it.
pub fn table(workload: WorkloadKind) -> Option<&'static str> {
    match workload {
        WorkloadKind::Append => Some(APPEND_TABLE),
        WorkloadKind::RwRegister => Some(REGISTER_TABLE),
        WorkloadKind::Bank => Some(BANK_TABLE),
        _ => None,
    }
}
