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

/// The statements that make `workload`'s tables, if the system runs it.
pub fn tables(workload: WorkloadKind) -> Option<&'static str> {
    match workload {
        WorkloadKind::Append => Some(APPEND_TABLE),
        _ => None,
    }
}
