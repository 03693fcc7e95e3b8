//! The clients' tables, one per workload, one row per key, and the SQL of each micro-op.
//!
//! | workload | table | a read | a write |
//! |---|---|---|---|
//! | append | `append (k, v TEXT)`: the list as comma-separated values | `SELECT v` | `CONCAT(v, ',', value)` on the row, inserted if absent |
//! | rw-register | `rw (k, v BIGINT)` | `SELECT v` | the row's value, inserted if absent |
//! | bank | `bank (k, balance BIGINT)`, a row per account made when the driver opens | `SELECT k, balance` of every account | a transfer: both balances read, then updated |

use runner::workload::WorkloadKind;

/// The table a workload's transactions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// List-append: a text column of comma-separated values.
    Append,
    /// Read/write registers: an integer column.
    Register,
    /// Bank accounts: a balance column.
    Bank,
}

impl Table {
    /// The table of `workload`, if Galera's clients run it.
    pub fn of(workload: WorkloadKind) -> Option<Table> {
        match workload {
            WorkloadKind::Append => Some(Table::Append),
            WorkloadKind::RwRegister => Some(Table::Register),
            WorkloadKind::Bank => Some(Table::Bank),
            _ => None,
        }
    }

    /// Creates the table if it is not there yet (once per run; DDL is replicated to every node).
    pub fn create(self) -> &'static str {
        match self {
            Table::Append => {
                "CREATE TABLE IF NOT EXISTS append (k BIGINT PRIMARY KEY, v TEXT NOT NULL) \
                 ENGINE=InnoDB"
            }
            Table::Register => {
                "CREATE TABLE IF NOT EXISTS rw (k BIGINT PRIMARY KEY, v BIGINT NOT NULL) \
                 ENGINE=InnoDB"
            }
            Table::Bank => {
                "CREATE TABLE IF NOT EXISTS bank (k BIGINT PRIMARY KEY, balance BIGINT NOT NULL) \
                 ENGINE=InnoDB"
            }
        }
    }
}

/// Reads list-append key `?`'s row.
pub const READ_LIST: &str = "SELECT v FROM append WHERE k = ?";

/// Appends value `?` to key `?`'s list, inserting the row if absent.
pub const APPEND: &str = "INSERT INTO append (k, v) VALUES (?, ?) \
     ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', VALUES(v))";

/// Reads register `?`.
pub const READ_REGISTER: &str = "SELECT v FROM rw WHERE k = ?";

/// Writes value `?` to register `?`, inserting the row if absent.
pub const WRITE_REGISTER: &str =
    "INSERT INTO rw (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)";

/// Every account's balance.
pub const READ_ACCOUNTS: &str = "SELECT k, balance FROM bank ORDER BY k";

/// One account's balance.
pub const READ_ACCOUNT: &str = "SELECT balance FROM bank WHERE k = ?";

/// Sets account `?`'s balance to `?`: a transfer writes the balances it read, changed by the
/// amount (as Jepsen's bank does), so that an update lost between the read and the write shows
/// as money created or destroyed.
pub const WRITE_BALANCE: &str = "UPDATE bank SET balance = ? WHERE k = ?";

/// Opens accounts `0..accounts` with `balance` each, unless they are there already.
pub fn open_accounts(accounts: usize, balance: i64) -> String {
    let rows: Vec<String> = (0..accounts).map(|k| format!("({k}, {balance})")).collect();
    format!(
        "INSERT IGNORE INTO bank (k, balance) VALUES {}",
        rows.join(", ")
    )
}

/// A list-append row's text as its list; `Err` names an element that is no number.
pub fn list(text: &str) -> Result<Vec<u64>, String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| format!("list element {s:?} in {text:?} is no number"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_of_comma_separated_values_reads_as_its_list() {
        assert_eq!(list("3,1,2"), Ok(vec![3, 1, 2]));
        assert_eq!(list("7"), Ok(vec![7]));
        assert!(list("1,x").unwrap_err().contains("\"x\""));
    }

    #[test]
    fn the_transactional_workloads_have_a_table_and_the_others_none() {
        assert_eq!(Table::of(WorkloadKind::Append), Some(Table::Append));
        assert_eq!(Table::of(WorkloadKind::RwRegister), Some(Table::Register));
        assert_eq!(Table::of(WorkloadKind::Bank), Some(Table::Bank));
        assert_eq!(Table::of(WorkloadKind::Register), None);
    }

    #[test]
    fn accounts_open_with_their_balance_once() {
        assert_eq!(
            open_accounts(3, 10),
            "INSERT IGNORE INTO bank (k, balance) VALUES (0, 10), (1, 10), (2, 10)"
        );
    }
}
