//! Galera's options: the isolation level, `wsrep_sync_wait` and `innodb_flush_log_at_trx_commit`,
//! each written into every node's configuration file.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The transaction isolation level every node's server uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isolation {
    /// MariaDB's default: InnoDB's repeatable read (a snapshot per transaction for plain reads,
    /// locking reads and writes on the latest version).
    #[default]
    RepeatableRead,
    /// Serializable: plain reads take shared locks on the node that runs the transaction
    /// (Galera certifies only writes across nodes).
    Serializable,
}

impl Isolation {
    /// Its name in MariaDB's `transaction_isolation`.
    pub fn server_name(self) -> &'static str {
        match self {
            Isolation::RepeatableRead => "REPEATABLE-READ",
            Isolation::Serializable => "SERIALIZABLE",
        }
    }
}

impl fmt::Display for Isolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Isolation::RepeatableRead => "repeatable-read",
            Isolation::Serializable => "serializable",
        })
    }
}

/// Galera's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GaleraOptions {
    /// The isolation level.
    pub isolation: Isolation,
    /// `wsrep_sync_wait`, a bit mask (0..=15) of the statement kinds that wait until the node
    /// has applied everything the cluster committed before they run (1: reads).
    pub wsrep_sync_wait: u8,
    /// `innodb_flush_log_at_trx_commit`: 1 writes and flushes InnoDB's log at each commit
    /// (MariaDB's default), 2 writes it at each commit and flushes once a second, 0 does both
    /// once a second.
    pub innodb_flush_log_at_trx_commit: u8,
}

impl Default for GaleraOptions {
    fn default() -> GaleraOptions {
        GaleraOptions {
            isolation: Isolation::default(),
            wsrep_sync_wait: 0,
            innodb_flush_log_at_trx_commit: 1,
        }
    }
}

impl GaleraOptions {
    /// `Err` names the option out of its range and the values it takes.
    pub fn check(&self) -> Result<(), String> {
        if self.wsrep_sync_wait > 15 {
            return Err(format!(
                "wsrep_sync_wait must be 0..=15 (a bit mask), got {}",
                self.wsrep_sync_wait
            ));
        }
        if self.innodb_flush_log_at_trx_commit > 2 {
            return Err(format!(
                "innodb_flush_log_at_trx_commit must be 0, 1 or 2, got {}",
                self.innodb_flush_log_at_trx_commit
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<GaleraOptions, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_mariadbs_repeatable_read_no_sync_wait_and_a_flush_per_commit() {
        let o = read(json!({})).unwrap();
        assert_eq!(o, GaleraOptions::default());
        assert_eq!(o.isolation, Isolation::RepeatableRead);
        assert_eq!(
            (o.wsrep_sync_wait, o.innodb_flush_log_at_trx_commit),
            (0, 1)
        );
    }

    #[test]
    fn an_unknown_isolation_level_is_refused_with_the_levels_there_are() {
        let e = read(json!({"isolation": "read-committed"})).unwrap_err();
        assert!(e.contains("read-committed"), "{e}");
        assert!(
            e.contains("repeatable-read") && e.contains("serializable"),
            "{e}"
        );
    }

    #[test]
    fn out_of_range_numbers_are_refused_with_their_range() {
        let e = read(json!({"wsrep_sync_wait": 16}))
            .unwrap()
            .check()
            .unwrap_err();
        assert!(e.contains("0..=15"), "{e}");
        let flush = json!({"innodb_flush_log_at_trx_commit": 3});
        let e = read(flush).unwrap().check().unwrap_err();
        assert!(e.contains("0, 1 or 2"), "{e}");
        assert!(
            read(json!({"wsrep_sync_wait": 15, "innodb_flush_log_at_trx_commit": 0}))
                .unwrap()
                .check()
                .is_ok()
        );
    }

    #[test]
    fn unknown_options_are_refused() {
        assert!(read(json!({"sst": "rsync"})).is_err());
    }
}
