//! The clients' tables, one per workload, one row per key, and the SQL of each micro-op.
//!
//! | workload | table | a read | a write |
//! |---|---|---|---|
//! | append | `append (k, v TEXT)`: the list as comma-separated values | `SELECT v` | `CONCAT(v, ',', value)` on the row, inserted if absent |
//! | rw-register | `rw (k, v BIGINT)` | `SELECT v` | the row's value, inserted if absent |

use runner::workload::WorkloadKind;

/// The table a workload's transactions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// List-append: a text column of comma-separated values.
    Append,
}

impl Table {
    /// The table of `workload`, if Galera's clients run it.
    pub fn of(workload: WorkloadKind) -> Option<Table> {
        match workload {
            WorkloadKind::Append => Some(Table::Append),
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
        }
    }

    /// Reads key `?`'s row.
    pub fn read(self) -> &'static str {
        match self {
            Table::Append => "SELECT v FROM append WHERE k = ?",
        }
    }

    /// Appends (or writes) value `?` to key `?`, inserting the row if absent.
    pub fn write(self) -> &'static str {
        match self {
            Table::Append => {
                "INSERT INTO append (k, v) VALUES (?, ?) \
                 ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', VALUES(v))"
            }
        }
    }
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
    fn only_the_append_workload_has_a_table() {
        assert_eq!(Table::of(WorkloadKind::Append), Some(Table::Append));
        assert_eq!(Table::of(WorkloadKind::Register), None);
    }
}
